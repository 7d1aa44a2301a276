"""Airflow's own view of a DAG folder, taken in an Airflow venv, and its comparison with the static scan."""
