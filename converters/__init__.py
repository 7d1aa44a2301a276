"""airflow-to-dagster: move a live Airflow estate to Dagster without stopping it."""

__version__ = "0.1.0"
