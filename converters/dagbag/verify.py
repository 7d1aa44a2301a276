"""``verify --dagbag``: the static inventory of a folder against what Airflow's DagBag builds from it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from converters.dagbag.reconcile import Reconciliation, adopt_dagbag, load_dagbag, reconcile
from converters.inventory import ir
from converters.inventory.project import inventory_json, scan_project


@dataclass(frozen=True)
class Verification:
    project: ir.Project  # the static inventory
    dagbag: dict  # what Airflow's DagBag built
    parity: Reconciliation

    @property
    def failed(self) -> bool:
        """A DAG differs, or Airflow built one the scan did not find and no diagnostic explains (exit 1)."""
        unexplained = [d for d in self.parity.dags if d.status == "dagbag_only" and not d.explained_by]
        differs = [d for d in self.parity.dags if d.status == "differs"]
        return bool(differs or unexplained)

    def json(self) -> dict:
        """The parity report `verify --json` writes."""
        return {
            "airflow_version": self.parity.airflow_version,
            "score": self.parity.score,
            "dags": [asdict(d) for d in self.parity.dags],
            "import_errors": self.parity.import_errors,
        }

    def adopted_inventory(self) -> dict:
        """The inventory (scan JSON shape) with Airflow's structure for the DAGs the scan could not resolve."""
        return inventory_json(adopt_dagbag(self.project, self.dagbag))


def verify(
    folder: Path,
    version: int,
    *,
    timeout: float = 600,
    extra_env: dict[str, str] | None = None,
    airflow_python: Path | None = None,
) -> Verification:
    """Scan ``folder``, load it with Airflow ``version``'s DagBag (this executes the DAG files, in a subprocess of
    Airflow's venv, or of ``airflow_python``'s) and compare. Raises ``DagBagError`` or ``EnvironmentMissing``."""
    project = scan_project(folder)
    bag = load_dagbag(folder, version, timeout=timeout, extra_env=extra_env, airflow_python=airflow_python)
    return Verification(project, bag, reconcile(project, bag, version))
