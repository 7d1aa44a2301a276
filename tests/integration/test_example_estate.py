"""Every example DAG runs for real in Airflow 2.11 and 3.3 and writes the data it should.

Expected values are computed here from the estate's source systems (airflow_dags/include/sources.py),
independently of the DAG code that wrote the warehouse, so a DAG that writes wrong data fails.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal

import pytest

from converters.runtime.example_estate import example_sources, expected_dag_ids

pytestmark = pytest.mark.integration

src = example_sources()


def kept_orders(ds: str) -> list[dict]:
    return [o for o in src.orders_for(ds) if o["status"] != "cancelled"]


def test_every_dag_run_succeeds_for_the_logical_date(estate):
    expected = expected_dag_ids(estate.instance.version)
    # Airflow loaded exactly the DAGs of the run plan: a new DAG file must be added to the plan (and tested).
    assert {d["dag_id"] for d in estate.instance.client().dags()} == expected
    assert {o.dag_id for o in estate.outcomes} == expected
    failures = [o.failure or f"{o.dag_id}: {o.state}" for o in estate.outcomes if o.state != "success"]
    assert not failures, "\n\n".join(failures)
    for outcome in estate.outcomes:
        if outcome.dag_id != "finance_reconciliation":  # started by orders_daily, not by us
            assert outcome.logical_date.startswith(estate.ds), outcome


def test_orders_daily_loads_orders_and_builds_revenue_in_eur(estate):
    ds = estate.ds
    loaded = estate.query("select order_id, customer_id, amount from raw.orders where ds = ? order by order_id", [ds])
    assert loaded == [(o["order_id"], o["customer_id"], Decimal(str(o["amount"]))) for o in src.orders_for(ds)]
    rates = dict(estate.query("select currency, rate_to_eur from ref.fx_rates where ds = ?", [ds]))
    assert rates == {"EUR": 1.0, "GBP": src.fx_rate_to_eur(ds, "GBP")}

    expected = defaultdict(lambda: [0, 0.0])
    for order in kept_orders(ds):
        expected[order["store_id"]][0] += 1
        expected[order["store_id"]][1] += round(order["amount"] * rates[order["currency"]], 2)
    revenue = estate.query("select store_id, orders, revenue_eur from mart.daily_revenue where ds = ? order by 1", [ds])
    assert [store for store, _, _ in revenue] == sorted(expected)
    for store, orders, revenue_eur in revenue:
        assert orders == expected[store][0]
        assert float(revenue_eur) == pytest.approx(expected[store][1], abs=0.01)
    # The TaskGroup's checks ran (prefixed ids, as Airflow names them).
    states = estate.only_run("orders_daily").task_states
    assert states["quality.orders_loaded"] == states["quality.amounts_positive"] == "success"


def test_trigger_dag_run_starts_finance_reconciliation_with_the_day(estate):
    runs = estate.runs_of("finance_reconciliation")
    assert [r.conf for r in runs] == [{"source_ds": estate.ds, "triggered_by": "orders_daily"}]
    reconciled = estate.query(
        "select store_id, revenue_eur, orders, status from finance.reconciliation where ds = ? order by 1", [estate.ds]
    )
    revenue = estate.query(
        "select store_id, revenue_eur, orders from mart.daily_revenue where ds = ? order by 1", [estate.ds]
    )
    assert [row[:3] for row in reconciled] == revenue
    assert {row[3] for row in reconciled} == {"balanced"}


def test_external_task_sensor_waits_then_attribution_matches_orders(estate):
    assert estate.only_run("marketing_attribution").task_states["wait_for_orders"] == "success"
    expected = defaultdict(lambda: [0, Decimal(0)])
    for order in kept_orders(estate.ds):
        channel = src.CHANNELS[order["customer_id"] % len(src.CHANNELS)]
        expected[channel][0] += 1
        expected[channel][1] += Decimal(str(order["amount"]))
    rows = estate.query(
        "select channel, orders, revenue from mart.channel_attribution where ds = ? order by 1", [estate.ds]
    )
    assert rows == [(channel, n, total) for channel, (n, total) in sorted(expected.items())]


def test_dataset_consumer_summarises_daily_revenue(estate):
    dashboard = estate.query("select store_id, days, orders, revenue_eur from reporting.revenue_by_store order by 1")
    revenue = estate.query("select store_id, orders, revenue_eur from mart.daily_revenue order by 1")
    assert [(s, 1, o, r) for s, o, r in revenue] == [(s, d, int(o), r) for s, d, o, r in dashboard]


def test_taskflow_branch_publishes_channel_summary(estate):
    states = estate.only_run("web_sessions").task_states
    assert states["load_channel_summary"] == "success"
    assert states["flag_low_traffic"] == "skipped"  # the branch not taken
    expected = defaultdict(lambda: [0, 0, 0])
    for session in src.web_events_for(estate.ds):
        row = expected[session["channel"]]
        row[0] += 1
        row[1] += session["pageviews"]
        row[2] += int(session["converted"])
    rows = estate.query(
        "select channel, sessions, pageviews, conversions from mart.web_channel_daily where ds = ? order by 1",
        [estate.ds],
    )
    assert rows == [(channel, *values) for channel, values in sorted(expected.items())]


def test_mapped_tasks_compute_one_kpi_row_per_store(estate):
    states = estate.only_run("store_kpis").task_states
    assert sorted(k for k in states if k.startswith("compute_store_kpis[")) == [
        f"compute_store_kpis[{i}]" for i in range(len(src.STORES))
    ]
    rows = estate.query("select store_id, orders, avg_basket from mart.store_kpis where ds = ? order by 1", [estate.ds])
    assert [r[0] for r in rows] == sorted(src.STORES)
    for store, orders, avg_basket in rows:
        amounts = [o["amount"] for o in kept_orders(estate.ds) if o["store_id"] == store]
        assert orders == len(amounts)
        assert float(avg_basket) == pytest.approx(sum(amounts) / len(amounts), abs=0.006)


def test_file_sensor_then_bash_load_and_short_circuit(estate):
    rows = list(csv.DictReader(src.partner_inventory_csv(estate.ds).splitlines()))
    loaded = estate.query(
        "select sku, store_id, on_hand from raw.partner_inventory where ds = ? order by 1, 2", [estate.ds]
    )
    assert loaded == sorted((r["sku"], r["store_id"], int(r["on_hand"])) for r in rows)
    low = sorted((r["sku"], r["store_id"], int(r["on_hand"])) for r in rows if int(r["on_hand"]) < 5)
    states = estate.only_run("partner_inventory").task_states
    assert states["wait_for_inventory_file"] == "success"
    assert states["write_restock_report"] == ("success" if low else "skipped")
    restock = estate.query(
        "select sku, store_id, on_hand from reporting.restock where ds = ? order by 1, 2", [estate.ds]
    )
    assert restock == low


def test_python_sensor_and_branch_run_the_weekday_checks(estate):
    states = estate.only_run("data_quality").task_states
    assert (states["full_checks"], states["light_checks"], states["done"]) == ("success", "skipped", "success")
    results = estate.query(
        "select check_name, failures, outcome from ops.dq_results where ds = ? order by 1", [estate.ds]
    )
    assert results == [
        (name, 0, "pass") for name in sorted(["orders_have_customer", "orders_unique", "known_currency"])
    ]


def test_fx_rates_loads_every_currency(estate):
    rows = estate.query("select currency, rate_to_eur from ref.ecb_rates where ds = ? order by 1", [estate.ds])
    assert rows == sorted((c, src.fx_rate_to_eur(estate.ds, c)) for c in ("EUR", "GBP", "USD", "CHF"))


def test_cosmos_dbt_group_builds_staging_and_marts(estate):
    states = estate.only_run("shop_dbt").task_states
    dbt_tasks = {k: v for k, v in states.items() if k.startswith("transform.")}
    assert {"transform.stg_orders.run", "transform.stg_orders.test", "transform.fct_orders.run"} <= set(dbt_tasks)
    assert set(dbt_tasks.values()) == {"success"}
    kept = kept_orders(estate.ds)
    fct = estate.query("select count(*), sum(amount) from analytics_marts.fct_orders where order_date = ?", [estate.ds])
    assert fct == [(len(kept), sum(Decimal(str(o["amount"])) for o in kept))]
    (customers,) = estate.query("select count(*), sum(lifetime_orders) from analytics_marts.dim_customers")
    assert customers == (src.CUSTOMER_COUNT, len(kept))


def test_version_specific_dags_run_on_their_line_only(estate):
    loaded = {o.dag_id for o in estate.outcomes}
    if estate.instance.version == 2:
        # legacy_customer_sync uses 1.10 import paths that only Airflow 2 still ships.
        assert "inventory_snapshot" not in loaded
        vip = [c for c in src.customers() if c["segment"] == "vip"]
        (snapshot,) = estate.query("select count(*) from crm.customer_snapshot where ds = ?", [estate.ds])
        assert snapshot == (src.CUSTOMER_COUNT,)
        (export,) = estate.query("select customers, path from crm.segment_exports where ds = ?", [estate.ds])
        assert export[0] == len(vip)
        with open(export[1], newline="") as handle:
            exported = [int(row["customer_id"]) for row in csv.DictReader(handle)]
        assert exported == [c["customer_id"] for c in vip]
    else:
        # inventory_snapshot is written against airflow.sdk, which only Airflow 3 ships.
        assert "legacy_customer_sync" not in loaded
        totals = defaultdict(int)
        for row in csv.DictReader(src.partner_inventory_csv(estate.ds).splitlines()):
            totals[row["store_id"]] += int(row["on_hand"])
        rows = estate.query(
            "select store_id, units_on_hand from mart.inventory_snapshot where ds = ? order by 1", [estate.ds]
        )
        assert rows == sorted(totals.items())


def test_no_failure_alert_was_sent(estate):
    alerts = estate.instance.data_dir / "alerts.jsonl"
    assert not alerts.exists() or alerts.read_text() == ""


def test_generated_dagster_assets_write_the_rows_airflow_wrote(estate, tmp_path_factory):
    """The committed dagster_defs, materialized in a real Dagster instance for the same logical date into a
    warehouse of its own, writes exactly the rows this Airflow run wrote, table by table."""
    import json

    import duckdb

    from converters.inventory.project import scan_project
    from converters.plan import plan_project
    from converters.runtime.dagster_materialize import materialize_modules
    from converters.runtime.envs import project_root
    from converters.runtime.example_estate import ONLY_ON, TRIGGERED_BY_DAGS, WAVES

    version = estate.instance.version
    data = tmp_path_factory.mktemp(f"dagster-side-airflow{version}")
    warehouse = data / "warehouse.duckdb"
    env = {
        "WAREHOUSE_PATH": str(warehouse),
        "ALERTS_FILE": str(data / "alerts.jsonl"),
        "AIRFLOW_CONN_WAREHOUSE_DUCKDB": json.dumps({"conn_type": "duckdb", "host": str(warehouse)}),
        # The partner's files are an input, read where Airflow read them.
        "AIRFLOW_CONN_PARTNER_LANDING": json.dumps(
            {"conn_type": "fs", "extra": {"path": str(estate.instance.landing_dir)}}
        ),
        "AIRFLOW_MAJOR_VERSION": str(version),
    }
    plan = plan_project(scan_project(project_root() / "airflow_dags"))
    modules = {d.dag.dag_id: d for d in plan.dags}
    order = [d for wave in WAVES for d in wave if ONLY_ON.get(d, version) == version] + list(TRIGGERED_BY_DAGS)
    requests = [
        {
            "module": modules[dag_id].module,
            "date": estate.ds,
            "tags": {"airflow/conf": json.dumps({"source_ds": estate.ds})} if dag_id in TRIGGERED_BY_DAGS else {},
            "keys": None,
        }
        for dag_id in order
    ]
    outcomes = materialize_modules(
        project_root() / "dagster_defs", requests, dagster_home=data / "dagster_home", env=env
    )
    materialized: set[tuple[str, ...]] = set()
    for dag_id, outcome in zip(order, outcomes, strict=True):
        assert outcome.success, f"{dag_id}: {outcome.error}"
        materialized |= {tuple(k) for k in outcome.materialized}
    # Dagster's dbt runs write outside the DAGs folder: Airflow keeps reading that folder (a target/ in it once
    # broke a BashOperator on Airflow 3).
    assert not list((project_root() / "airflow_dags").rglob("target")), "the Dagster side wrote into airflow_dags/"
    # Every MECH asset materialized exactly when its Airflow task succeeded (a branch not taken is skipped on both).
    mismatched = []
    for planned in (d for d in plan.dags if d.dag.dag_id in order):
        states = estate.only_run(planned.dag.dag_id).task_states
        for task in planned.tasks:
            if task.disposition != "MECH" or task.passthrough or task.translation.dbt:
                continue
            ran = states.get(task.task.task_id) == "success"
            if ran != (task.key in materialized):
                mismatched.append(f"{task.key}: Airflow {states.get(task.task.task_id)}")
    assert not mismatched, mismatched

    airflow_data = str(estate.instance.warehouse.parent)

    def rows(path, schema, table, has_ds):
        with duckdb.connect(str(path), read_only=True) as con:
            where = f" where ds = '{estate.ds}'" if has_ds else ""
            try:
                found = con.execute(f"select * from {schema}.{table}{where}").fetchall()
            except duckdb.CatalogException:
                return ["<table missing>"]
        # Paths written into the data (an export's location) name each side's own data folder.
        return sorted(repr(r).replace(airflow_data, "<data>").replace(str(data), "<data>") for r in found)

    with duckdb.connect(str(estate.instance.warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name, bool_or(column_name = 'ds') from information_schema.columns "
            "group by 1, 2 order by 1, 2"
        ).fetchall()
    assert len(tables) >= 15
    differences = []
    for schema, table, has_ds in tables:
        airflow_rows = rows(estate.instance.warehouse, schema, table, has_ds)
        dagster_rows = rows(warehouse, schema, table, has_ds)
        if airflow_rows != dagster_rows:
            differences.append(f"{schema}.{table}: Airflow {airflow_rows[:3]} … Dagster {dagster_rows[:3]} …")
    assert not differences, "\n".join(differences)
