from datetime import datetime

from airflow import DAG
from cosmos import DbtTaskGroup, ProfileConfig, ProjectConfig
from cosmos.profiles import PostgresUserPasswordProfileMapping

with DAG("dbt_profile_mapping", schedule=None, start_date=datetime(2024, 1, 1)):
    DbtTaskGroup(
        group_id="dbt_profile_mapping",
        project_config=ProjectConfig("dbt/shop"),
        profile_config=ProfileConfig(
            profile_name="shop",
            target_name="dev",
            profile_mapping=PostgresUserPasswordProfileMapping(conn_id="warehouse"),
        ),
    )
