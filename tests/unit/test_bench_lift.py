"""The bench's lift overhead compares one task converted two ways: MECH as `convert` writes it, LIFT as `convert
--lift` would if no rule translated PythonOperator. Both conversions, without running anything (the bench smoke
test, tests/integration/test_bench_smoke.py, materializes them)."""

from __future__ import annotations

from converters import plan as planning
from converters import rules
from converters.bench import lift_measure


def test_the_same_task_is_converted_as_a_mech_and_as_a_lift_asset(tmp_path):
    lift_measure.convert_both(tmp_path)
    module = f"dags/{lift_measure.DAG_ID}.py"
    mech = (tmp_path / lift_measure.MECH_PACKAGE / module).read_text(encoding="utf-8")
    lift = (tmp_path / lift_measure.LIFT_PACKAGE / module).read_text(encoding="utf-8")
    assert '"airflow/disposition": "MECH"' in mech and "call_python(logic.produce" in mech
    assert '"airflow/disposition": "LIFT"' in lift and 'run_lifted(context, DAG, "produce"' in lift
    assert (tmp_path / lift_measure.LIFT_PACKAGE / "support" / "lift_runner.py").is_file()
    # The registry without the Python rule was the LIFT conversion's alone: later plans have every rule again.
    assert planning.default_registry is rules.default_registry
