"""Code shared by the commerce data team's DAGs (importable because Airflow puts the DAG folder on sys.path)."""
