"""Export one customer segment of a day's CRM snapshot to CSV and record the export."""

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the DAG folder, for `include`

from include.warehouse import connect, replace_partition, warehouse_path  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ds", required=True)
    parser.add_argument("--segment", required=True)
    parser.add_argument("--out", required=True, type=Path, help="relative paths are under the warehouse folder")
    args = parser.parse_args()
    out = args.out if args.out.is_absolute() else warehouse_path().parent / args.out
    with connect(read_only=True) as con:
        rows = con.execute(
            """select customer_id, name, country from crm.customer_snapshot
               where ds = ? and segment = ? order by customer_id""",
            [args.ds, args.segment],
        ).fetchall()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "name", "country"])
        writer.writerows(rows)
    replace_partition(
        "crm.segment_exports",
        {"ds": "date", "segment": "varchar", "customers": "integer", "path": "varchar"},
        args.ds,
        [(args.ds, args.segment, len(rows), str(out))],
    )
    print(f"exported {len(rows)} {args.segment} customers to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
