"""Time Airflow's DagBag fill of a folder. Runs INSIDE an Airflow venv, executed by path: imports nothing from
the toolkit or Dagster.

Usage: python dagbag_timer.py DAG_FOLDER  → prints {"import_seconds", "seconds", "dags", "import_errors"}.
``seconds`` is the fill alone (Airflow already imported), the fair counterpart of a scan of the same folder.
"""

import json
import sys
import time


def main(folder):
    started = time.perf_counter()
    try:
        from airflow.dag_processing.dagbag import DagBag  # Airflow 3

        if folder not in sys.path:  # the dag-processor puts the bundle folder on sys.path too
            sys.path.insert(0, folder)
        options = {}  # Airflow 3.3's DagBag has no include_examples: AIRFLOW__CORE__LOAD_EXAMPLES=False says it
    except ImportError:
        from airflow.models.dagbag import DagBag  # Airflow 2

        options = {"include_examples": False}
    imported = time.perf_counter()
    bag = DagBag(folder, **options)
    filled = time.perf_counter()
    print(
        json.dumps(
            {
                "import_seconds": imported - started,
                "seconds": filled - imported,
                "dags": len(bag.dags),
                "import_errors": len(bag.import_errors),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
