"""The side-by-side runtime: real Airflow and Dagster processes started from the project's virtual environments.

Nothing here imports Airflow or Dagster: each runs in its own venv and is reached over its process
boundary or its HTTP API. The one exception, `run_launcher`, is loaded by Dagster's own processes (named in the
runtime's ``dagster.yaml``) and imports Dagster there.
"""
