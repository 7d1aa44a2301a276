"""The client report, opened as a client opens it: in a real (headless) Chromium, from a file, offline.

For the bundled example estate and for the example DAGs shipped in the Airflow 2.11 and 3.3 wheels, `report`
writes the page; Chromium loads it without console errors or failed loads, every section is there, the
numbers on the page equal what `scan --json` reports for the same folder, and a screenshot is produced.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from converters.runtime.envs import project_root
from tests.e2e.chromium import Browser
from tests.integration.test_dagbag_parity import wheel_folder

CLI = [sys.executable, "-m", "converters"]
SECTIONS = ["Summary", "1. Inventory", "2. Dispositions", "3. Go / no-go", "4. Waves", "5. Progress", "6. Pictures"]

pytestmark = pytest.mark.xdist_group("chromium")  # one worker, one browser (a module-scoped fixture)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "200"}, check=False
    )


@pytest.fixture(scope="module")
def browser():
    with Browser() as chromium:
        yield chromium


def folders() -> list[tuple[str, object]]:
    return [
        ("example-estate", lambda: project_root() / "airflow_dags"),
        ("airflow2-wheel-examples", lambda: wheel_folder(2, "example_dags")),
        ("airflow3-wheel-examples", lambda: wheel_folder(3, "example_dags")),
    ]


@pytest.mark.parametrize("name, folder", folders(), ids=[name for name, _ in folders()])
def test_the_report_renders_in_chromium_and_matches_the_inventory(name, folder, browser, tmp_path):
    dags_folder: Path = folder()
    out = tmp_path / "report"
    made = cli("report", str(dags_folder), "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert "Recommendation:" in made.stdout and str(out / "index.html") in made.stdout.replace("\n", "")

    page = browser.load((out / "index.html").as_uri())
    assert page.errors == [], page.errors
    assert browser.evaluate("document.body.getAttribute('data-ready')") == "yes", "the page's script ran"
    headings = browser.evaluate("[...document.querySelectorAll('section > h2')].map(h => h.textContent)")
    assert headings == SECTIONS
    shot = browser.screenshot(tmp_path / f"{name}.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000

    # The numbers on the page are the inventory's: compare with `scan --json` of the same folder.
    # The example estate's checkout records supplier_feeds' untranslated tasks as lifted (migration/state.json),
    # which the report reads; there `scan --lift` shows the same dispositions (those are its only NONE tasks).
    lifted = ["--lift"] if name == "example-estate" else []
    scanned = cli("scan", str(dags_folder), *lifted, "--json", "-")
    assert scanned.returncode in (0, 1), scanned.stderr
    inventory = json.loads(scanned.stdout)
    figures = json.loads(
        browser.evaluate(
            "JSON.stringify(Object.fromEntries([...document.querySelectorAll('[data-figure]')]"
            ".map(e => [e.dataset.figure, e.textContent])))"
        )
    )
    tasks = [t for d in inventory["dags"] for t in d["tasks"]]
    assert int(figures["dags"]) == len(inventory["dags"])
    assert int(figures["tasks"]) == len(tasks)
    assert int(figures["files"]) == inventory["files"]
    dispositions = Counter(t["disposition"] for t in tasks)
    for disposition in ("MECH", "JUDG", "REDESIGN", "NONE"):
        assert int(figures[disposition.lower()]) == dispositions[disposition], disposition
    rows = browser.evaluate("document.querySelectorAll('#task-table tbody tr').length")
    assert rows == len(tasks), "one row per task"
    drawn = browser.evaluate("document.querySelectorAll('#pictures details').length")
    assert drawn == len(inventory["dags"]), "a picture pair per DAG"
    assert browser.evaluate("document.querySelectorAll('#pictures svg').length") == 2 * len(inventory["dags"])

    # The filter works on the task table (the page's one script).
    first = tasks[0]["task_id"]
    browser.evaluate(
        "(() => { const box = document.getElementById('task-filter'); box.value = "
        + json.dumps(first)
        + "; box.dispatchEvent(new Event('input')); })()"
    )
    visible = browser.evaluate("[...document.querySelectorAll('#task-table tbody tr')].filter(r => !r.hidden).length")
    assert 1 <= visible < len(tasks) or len(tasks) == 1

    # Nothing on the page points outside it.
    external = browser.evaluate(
        "[...document.querySelectorAll('[src],[href]')].map(e => e.getAttribute('src') || e.getAttribute('href'))"
        ".filter(u => !u.startsWith('#'))"
    )
    assert external == []
    markdown = (out / "report.md").read_text()
    for heading in SECTIONS[1:]:
        assert f"## {heading}" in markdown
    for line in markdown.splitlines():
        if line.startswith("!["):
            for target in [part.split(")")[0] for part in line.split("](")[1:]]:
                assert (out / target).is_file(), target
