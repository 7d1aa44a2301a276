"""Third-party rules join through the ``airflow_to_dagster.rules`` entry-point group."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

PLUGIN = '''
from converters.rules.base import MECH, Rule, Translation


class AcmeReport(Rule):
    """What it does: runs Acme's report through its CLI."""

    name = "acme.report"
    operators = ("acme.operators.ReportOperator",)
    emits = "an asset running acme-report"

    def translate(self, task):
        t = Translation(MECH, "acme-report runs the same report", kinds=("acme",))
        t.consumed.add("report")
        t.body.append(f"context.log.info({task.args['report']!r})")
        return t
'''

DAG = """
from datetime import datetime

from airflow import DAG
from acme.operators import ReportOperator

with DAG("acme", schedule=None, start_date=datetime(2024, 1, 1)):
    ReportOperator(task_id="report", report="weekly")
"""


def _install_plugin(site: Path) -> None:
    """What pip leaves behind for a distribution: the module and a dist-info with its entry points."""
    (site / "acme_rules.py").write_text(textwrap.dedent(PLUGIN))
    info = site / "acme_rules-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[airflow_to_dagster.rules]\nacme = acme_rules:AcmeReport\n")


def _cli(args: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "converters", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_an_installed_plugin_rule_is_listed_and_converts_its_operator(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "acme.py").write_text(DAG)

    before = _cli(["convert", str(dags), "--out", str(tmp_path / "without"), "--json", "-"], tmp_path, tmp_path)
    without = json.loads(before.stdout)
    assert without["dags"][0]["tasks"][0]["disposition"] == "NONE"

    _install_plugin(site)
    listed = _cli(["rules", "--json"], site, tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "acme.report" in {row["rule"] for row in json.loads(listed.stdout)}

    after = _cli(["convert", str(dags), "--out", str(tmp_path / "with"), "--json", "-"], site, tmp_path)
    task = json.loads(after.stdout)["dags"][0]["tasks"][0]
    assert (task["rule"], task["disposition"]) == ("acme.report", "MECH")
    module = (tmp_path / "with" / "dags" / "acme.py").read_text()
    assert "context.log.info('weekly')" in module or 'context.log.info("weekly")' in module
