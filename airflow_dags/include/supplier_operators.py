"""The procurement team's operator classes: one of their own, one built on the common.sql provider's check."""

from __future__ import annotations

from airflow.models.baseoperator import BaseOperator
from airflow.providers.common.sql.operators.sql import SQLThresholdCheckOperator

from include.sources import supplier_deliveries_for
from include.warehouse import replace_partition

WAREHOUSE_CONN_ID = "warehouse_duckdb"


class SupplierFeedOperator(BaseOperator):
    """Lands the day's deliveries of the suppliers the manifest task expects in ``raw.supplier_deliveries``.

    Returns the feed's totals and pushes the suppliers that delivered under the XCom key ``suppliers``."""

    template_fields = ("feed_date",)

    def __init__(self, feed_date: str, manifest_task: str, **kwargs):
        super().__init__(**kwargs)
        self.feed_date = feed_date
        self.manifest_task = manifest_task

    def execute(self, context):
        expected = set(context["ti"].xcom_pull(task_ids=self.manifest_task))
        deliveries = [d for d in supplier_deliveries_for(self.feed_date) if d["supplier_id"] in expected]
        rows = [(self.feed_date, d["supplier_id"], d["sku"], d["units"]) for d in deliveries]
        columns = {"ds": "date", "supplier_id": "varchar", "sku": "varchar", "units": "integer"}
        replace_partition("raw.supplier_deliveries", columns, self.feed_date, rows)
        suppliers = sorted({d["supplier_id"] for d in deliveries})
        context["ti"].xcom_push(key="suppliers", value=suppliers)
        self.log.info("landed %d delivery lines from %d suppliers", len(rows), len(suppliers))
        return {"lines": len(rows), "units": sum(d["units"] for d in deliveries)}


class RowCountCheckOperator(SQLThresholdCheckOperator):
    """Fails unless a warehouse table holds between ``min_rows`` and ``max_rows`` rows for the run's day."""

    def __init__(self, table: str, min_rows: int, max_rows: int, **kwargs):
        super().__init__(
            conn_id=WAREHOUSE_CONN_ID,
            sql=f"select count(*) from {table} where ds = '{{{{ ds }}}}'",
            min_threshold=min_rows,
            max_threshold=max_rows,
            **kwargs,
        )
