"""Dagster code location generated from airflow_dags/ (placeholder until `airflow-to-dagster convert` writes it)."""
