from airflow.models import BaseOperator


class ArchiveOperator(BaseOperator):
    def __init__(self, folder, **kwargs):
        super().__init__(**kwargs)
        self.folder = folder

    def execute(self, context):
        return self.folder
