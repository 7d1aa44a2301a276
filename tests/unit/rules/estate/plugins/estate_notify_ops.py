from airflow.models import BaseOperator


class StageNoticeOperator(BaseOperator):
    def execute(self, context):
        import estate_stage  # imported here against an import cycle

        self.log.info("stage %s", estate_stage.STAGE)
