# Dagster webserver, daemon and code location for the team deployment, from the same lock file as .venv-dagster.
# Two targets: `dagster` (Dagster alone) and `lift` (the default in docker-compose.yml), which adds the Airflow
# libraries the LIFT tasks run with (docs/runtime.md, "LIFT tasks in the team deployment").
FROM python:3.11-slim AS dagster
ENV DAGSTER_HOME=/opt/dagster/home PIP_NO_CACHE_DIR=1
RUN pip install uv
COPY requirements/dagster.lock /tmp/requirements.lock
# dagster-postgres (the instance storage below) and psycopg2 are in the lock, pinned like the local venv.
RUN uv pip install --system -r /tmp/requirements.lock
COPY deploy/dagster/dagster.yaml /opt/dagster/home/dagster.yaml
WORKDIR /opt/dagster/app

# The code-location image for an estate with LIFT tasks: each lifted task's asset launches the generated
# support/lift_runner.py with the Python of a separate venv holding the estate's Airflow line (the same lock as
# .venv-airflow-<line>, dagster-pipes included), its providers and the libraries its DAG files import, never
# mixed with Dagster's. The generated support/lift.py finds that Python in AIRFLOW_LIFT_PYTHON.
FROM dagster AS lift
ARG AIRFLOW_LINE=2
# The estate's providers and libraries beyond the lock, one requirement a line (pip's format), a file in the
# build context; the lock's pins hold (a constraint), so a provider that needs another Airflow fails the build.
ARG LIFT_REQUIREMENTS=deploy/lift-requirements.txt
COPY requirements/airflow-${AIRFLOW_LINE}.lock /tmp/airflow.lock
COPY ${LIFT_REQUIREMENTS} /tmp/lift-requirements.txt
# Bytecode compiled at install: a lifted task starts a fresh Airflow process, and compiling Airflow's modules
# from source in each one made a lifted task several times slower (docs/benchmarks.md, "The lift overhead").
RUN uv venv /opt/airflow-venv --python /usr/local/bin/python3.11 \
    && uv pip install --python /opt/airflow-venv/bin/python --compile-bytecode -r /tmp/airflow.lock \
    && uv pip install --python /opt/airflow-venv/bin/python --compile-bytecode -r /tmp/lift-requirements.txt \
       -c /tmp/airflow.lock
ENV AIRFLOW_LIFT_PYTHON=/opt/airflow-venv/bin/python
