# Dagster webserver and daemon for the team deployment, from the same lock file as .venv-dagster.
FROM python:3.11-slim
ENV DAGSTER_HOME=/opt/dagster/home PIP_NO_CACHE_DIR=1
RUN pip install uv
COPY requirements/dagster.lock /tmp/requirements.lock
RUN uv pip install --system -r /tmp/requirements.lock dagster-postgres
COPY deploy/dagster/dagster.yaml /opt/dagster/home/dagster.yaml
WORKDIR /opt/dagster/app
