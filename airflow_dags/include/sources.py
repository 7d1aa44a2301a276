"""The source systems the DAGs read from, as deterministic stand-ins.

In production these are the shop's order API, the CRM export and the ECB rates feed. Here every
function returns the same records for the same logical date, so a run for a given date always
loads the same data, whichever scheduler (Airflow or Dagster) runs it.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timedelta

STORES = ("ber", "lon", "par")
CURRENCIES = {"ber": "EUR", "lon": "GBP", "par": "EUR"}
CHANNELS = ("search", "social", "email", "direct")
STATUSES = ("paid", "paid", "paid", "shipped", "cancelled")
CUSTOMER_COUNT = 40


def _rng(*parts: object) -> random.Random:
    seed = hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()
    return random.Random(int(seed[:16], 16))


def orders_for(ds: str) -> list[dict]:
    """Orders placed on ``ds`` (YYYY-MM-DD), as the order API returns them."""
    rng = _rng("orders", ds)
    day = date.fromisoformat(ds)
    orders = []
    for n in range(rng.randint(18, 30)):
        store = rng.choice(STORES)
        placed = datetime(day.year, day.month, day.day) + timedelta(minutes=rng.randint(0, 1439))
        orders.append(
            {
                "order_id": f"{ds.replace('-', '')}-{n:04d}",
                "customer_id": rng.randint(1, CUSTOMER_COUNT),
                "store_id": store,
                "amount": round(rng.uniform(5, 250), 2),
                "currency": CURRENCIES[store],
                "status": rng.choice(STATUSES),
                "ordered_at": placed.isoformat(),
            }
        )
    return orders


def customers() -> list[dict]:
    """The CRM's customer export (slowly changing; the same every day here)."""
    rng = _rng("customers")
    segments = ("consumer", "consumer", "business", "vip")
    return [
        {
            "customer_id": cid,
            "name": f"Customer {cid:03d}",
            "segment": rng.choice(segments),
            "country": rng.choice(("DE", "GB", "FR")),
            "signed_up": (date(2022, 1, 1) + timedelta(days=rng.randint(0, 700))).isoformat(),
        }
        for cid in range(1, CUSTOMER_COUNT + 1)
    ]


def fx_rate_to_eur(ds: str, currency: str) -> float:
    """The ECB reference rate for ``currency`` on ``ds`` (EUR is 1.0)."""
    if currency == "EUR":
        return 1.0
    return round(1.15 + _rng("fx", ds, currency).uniform(-0.03, 0.03), 4)


def web_events_for(ds: str) -> list[dict]:
    """Web analytics sessions started on ``ds``."""
    rng = _rng("web", ds)
    return [
        {
            "session_id": f"s-{ds.replace('-', '')}-{n:05d}",
            "channel": rng.choice(CHANNELS),
            "pageviews": rng.randint(1, 12),
            "converted": rng.random() < 0.08,
        }
        for n in range(rng.randint(120, 180))
    ]


def partner_inventory_csv(ds: str) -> str:
    """The CSV a logistics partner drops into the landing folder every morning."""
    rng = _rng("partner", ds)
    lines = ["sku,store_id,on_hand"]
    for sku in range(1, 16):
        for store in STORES:
            lines.append(f"SKU-{sku:03d},{store},{rng.randint(0, 60)}")
    return "\n".join(lines) + "\n"


SUPPLIERS = ("acme-foods", "borealis-drinks", "cascade-paper")


def supplier_deliveries_for(ds: str) -> list[dict]:
    """Deliveries the suppliers' portal lists for ``ds``: one line per supplier and product."""
    rng = _rng("supplier-deliveries", ds)
    return [
        {"supplier_id": supplier, "sku": f"{supplier[:3]}-{n:02d}", "units": rng.randint(5, 120)}
        for supplier in SUPPLIERS
        for n in range(rng.randint(2, 4))
    ]
