# Dagster webserver and daemon for the team deployment, from the same lock file as .venv-dagster.
FROM python:3.11-slim
ENV DAGSTER_HOME=/opt/dagster/home PIP_NO_CACHE_DIR=1
RUN pip install uv
COPY requirements/dagster.lock /tmp/requirements.lock
# dagster-postgres (the instance storage below) and psycopg2 are in the lock, pinned like the local venv.
RUN uv pip install --system -r /tmp/requirements.lock
COPY deploy/dagster/dagster.yaml /opt/dagster/home/dagster.yaml
WORKDIR /opt/dagster/app
