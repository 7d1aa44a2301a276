"""Airflow-side sources the codemods insert into DAG files: read as text, never imported by the toolkit."""
