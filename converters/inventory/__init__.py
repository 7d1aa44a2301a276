"""The inventory: what an Airflow estate contains, found statically (scan) or by Airflow's own loader (dagbag)."""
