from airflow.models import BaseOperator


class StageNoticeOperator(BaseOperator):
    def execute(self, context):
        from estate_stage import STAGE  # imported here against an import cycle

        self.log.info("stage %s", STAGE)
