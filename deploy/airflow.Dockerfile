# Airflow for the team deployment, installed from the same lock files as the local venvs.
FROM python:3.11-slim
ARG AIRFLOW_LINE=2
ENV AIRFLOW_HOME=/opt/airflow PIP_NO_CACHE_DIR=1
RUN pip install uv
COPY requirements/airflow-${AIRFLOW_LINE}.lock /tmp/requirements.lock
# psycopg2-binary (and asyncpg for Airflow 3) are in the lock: the metadata database is Postgres here too.
RUN uv pip install --system -r /tmp/requirements.lock
WORKDIR /opt/airflow
