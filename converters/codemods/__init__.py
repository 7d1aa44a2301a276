"""Reversible edits of Airflow DAG files (libcst): the only place the toolkit writes into a DAGs folder."""
