-- The Airflow database is created by the image (POSTGRES_DB); Dagster's storage gets its own.
CREATE DATABASE dagster OWNER airflow;
