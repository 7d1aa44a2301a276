"""Web analytics: sessions per channel, written in the TaskFlow style the web team prefers."""

from datetime import datetime, timedelta

from airflow.decorators import dag, task
from include.sources import web_events_for
from include.warehouse import replace_partition

LOW_TRAFFIC_SESSIONS = 100


@dag(
    schedule="30 2 * * *",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={"owner": "web-analytics", "retries": 2, "retry_delay": timedelta(minutes=3)},
    tags=["web"],
)
def web_sessions():
    @task
    def fetch_sessions(ds=None) -> list:
        return web_events_for(ds)

    @task
    def summarize(sessions: list) -> dict:
        summary = {}
        for session in sessions:
            channel = summary.setdefault(session["channel"], {"sessions": 0, "pageviews": 0, "conversions": 0})
            channel["sessions"] += 1
            channel["pageviews"] += session["pageviews"]
            channel["conversions"] += int(session["converted"])
        return summary

    @task.branch
    def check_traffic(summary: dict) -> str:
        total = sum(channel["sessions"] for channel in summary.values())
        return "load_channel_summary" if total >= LOW_TRAFFIC_SESSIONS else "flag_low_traffic"

    @task(pool="warehouse")
    def load_channel_summary(summary: dict, ds=None) -> int:
        rows = [
            (ds, channel, stats["sessions"], stats["pageviews"], stats["conversions"])
            for channel, stats in sorted(summary.items())
        ]
        return replace_partition(
            "mart.web_channel_daily",
            {
                "ds": "date",
                "channel": "varchar",
                "sessions": "integer",
                "pageviews": "integer",
                "conversions": "integer",
            },
            ds,
            rows,
        )

    @task
    def flag_low_traffic(ds=None):
        print(f"traffic on {ds} is below {LOW_TRAFFIC_SESSIONS} sessions; the channel summary is not published")

    summary = summarize(fetch_sessions())
    check_traffic(summary) >> [load_channel_summary(summary), flag_low_traffic()]


web_sessions()
