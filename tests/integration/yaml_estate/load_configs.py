"""Airflow DAGs that dag-factory builds from the YAML files under configs/ (read by the scan as data)."""

import os

from dagfactory import load_yaml_dags

load_yaml_dags(
    globals_dict=globals(), dags_folder=os.path.join(os.path.dirname(__file__), "configs"), suffix=["dag.yml"]
)
