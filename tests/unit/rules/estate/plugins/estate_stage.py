from airflow.models import Variable

STAGE = "prod"


def stage_setting():
    return Variable.get("stage_setting")
