from datetime import datetime

from acme.vendor import VendorOperator
from airflow import DAG


class ReportOperator(VendorOperator):
    report = "weekly"


with DAG("estate_class_base_not_seen", schedule=None, start_date=datetime(2024, 1, 1)):
    ReportOperator(task_id="estate_class_base_not_seen")
