"""Write the restock report: SKU/store pairs below the threshold on a day."""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the DAG folder, for `include`

from include.warehouse import connect  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ds", required=True)
    parser.add_argument("--threshold", required=True, type=int)
    args = parser.parse_args()
    with connect() as con:
        con.execute("create schema if not exists reporting")
        con.execute(
            "create table if not exists reporting.restock (ds date, sku varchar, store_id varchar, on_hand integer)"
        )
        con.execute("delete from reporting.restock where ds = ?", [args.ds])
        con.execute(
            """insert into reporting.restock
               select ds, sku, store_id, on_hand from raw.partner_inventory
               where ds = ? and on_hand < ? order by sku, store_id""",
            [args.ds, args.threshold],
        )
        (count,) = con.execute("select count(*) from reporting.restock where ds = ?", [args.ds]).fetchone()
    print(f"{count} items to restock on {args.ds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
