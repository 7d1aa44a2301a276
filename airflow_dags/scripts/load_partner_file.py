"""Load one day's partner inventory CSV into raw.partner_inventory (replacing that day)."""

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the DAG folder, for `include`

from include.warehouse import replace_partition  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ds", required=True)
    parser.add_argument("--file", required=True, type=Path)
    args = parser.parse_args()
    with args.file.open(newline="", encoding="utf-8") as handle:
        rows = [(args.ds, r["sku"], r["store_id"], int(r["on_hand"])) for r in csv.DictReader(handle)]
    loaded = replace_partition(
        "raw.partner_inventory",
        {"ds": "date", "sku": "varchar", "store_id": "varchar", "on_hand": "integer"},
        args.ds,
        rows,
    )
    print(f"loaded {loaded} rows from {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
