"""What the toolkit keeps for dagster-airlift: the proxied state of each DAG (``proxied_state/<dag_id>.yaml``)."""
