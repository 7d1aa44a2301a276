"""Placeholder code location.

`airflow-to-dagster convert airflow_dags --out dagster_defs` replaces this file with the generated
definitions (one asset per Airflow task, peered to Airflow through dagster-airlift). Until then it
holds an empty Definitions so the Dagster side of the runtime can be started and validated.
"""

import dagster as dg

defs = dg.Definitions()
