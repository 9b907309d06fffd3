"""Benchmark: the handlers' work queue with 100,000 reports in the database.

Production settings behind a real gunicorn on PostgreSQL; logged-in staff (second factor
passed) request /beheer/meldingen/ with the filters handlers use: the default view (open
reports, newest first), all reports, overdue only, a category group, an area, the deadline
sort, page 40, a reference search. wrk replays those URLs round-robin.

Target (issue #3): the staff queue page under 150 ms p95 with 100,000 reports.

    .venv/bin/python bench/staff_queue.py [--reports 100000] [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

LUA = Path(__file__).with_name("staff_queue.lua")
SEED = Path(__file__).with_name("staff_queue_seed.py")

LOGIN = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from weerbaar.network.models import Area
from weerbaar.reports.models import Report, ReportCategory
user = get_user_model().objects.get(email=EMAIL)
client = Client()
client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
session = client.session
session["otp_device_id"] = device.persistent_id
session.save()
area = Area.objects.filter(municipality__slug="breda").order_by("pk").first()
group = ReportCategory.objects.get(code="property_crime")
reference = Report.objects.filter(municipality__slug="breda").order_by("pk").first().reference
print(json.dumps({"cookie": client.cookies["sessionid"].value, "area": area.pk,
                  "group": group.code, "reference": reference}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows = []
    with harness.throwaway_database("weerbaar_bench_queue") as (_name, env):
        harness.manage(env, "load_demo_data", "--force")
        seeded = (
            subprocess.run(
                [harness.PYTHON, str(SEED), str(args.reports)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        harness.run_python(
            env, "from django.db import connection\nconnection.cursor().execute('VACUUM ANALYZE')"
        )
        for email, label in (
            ("oov@breda.weerbaar.demo", "OOV Breda (one municipality, designated)"),
            ("beheer@weerbaar.demo", "platform administrator (all municipalities)"),
        ):
            login = json.loads(
                harness.run_python(env, f"EMAIL = {email!r}\n" + LOGIN).strip().splitlines()[-1]
            )
            paths = [
                "/beheer/meldingen/",
                "/beheer/meldingen/?status=all",
                "/beheer/meldingen/?overdue=on",
                f"/beheer/meldingen/?category={login['group']}",
                f"/beheer/meldingen/?area={login['area']}",
                "/beheer/meldingen/?sort=due",
                "/beheer/meldingen/?status=all&page=40",
                f"/beheer/meldingen/?q={login['reference']}",
            ]
            with harness.gunicorn(env, workers=args.workers) as base:
                lua_env = {"SESSION_COOKIE": login["cookie"], "PATHS": ",".join(paths)}
                harness.wrk(base, LUA, connections=2, seconds=3, env=lua_env)  # warm up
                for connections in args.connections:
                    result = harness.wrk(
                        base, LUA, connections=connections, seconds=args.seconds, env=lua_env
                    )
                    result.update(
                        {
                            "who": label,
                            "connections": connections,
                            "rate": result["requests"] / result["seconds"],
                        }
                    )
                    rows.append(result)
                    print(json.dumps(result))
    lines = [
        "## Staff work queue with 100,000 reports (issue #3)",
        "",
        f"Run {harness.today()} on {harness.machine()}.",
        "",
        f"`.venv/bin/python bench/staff_queue.py` — {seeded} reports (2 years, 4 municipalities, "
        f"all statuses, 25% anonymous) in PostgreSQL; gunicorn {args.workers} sync workers, "
        "production settings; a logged-in handler (second factor passed) requests the queue "
        "with 8 different filter/sort/page combinations round-robin "
        "(default open view, all, overdue, a category group, an area, deadline sort, page 40, "
        f"reference search), for {args.seconds} s per row.",
        "",
        "| handler | concurrent clients | pages/s | p50 ms | p95 ms | p99 ms | max ms | not 200 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['who']} | {row['connections']} | {row['rate']:.0f} | {row['p50_ms']:.1f} | "
            f"{row['p95_ms']:.1f} | {row['p99_ms']:.1f} | {row['max_ms']:.0f} | "
            f"{row['unexpected_status'] + row['socket_errors']:.0f} |"
        )
    lines += ["", "Target: p95 under 150 ms with 100,000 reports in the database."]
    print("\n".join(lines))
    if not args.no_write:
        harness.write_section("staff-queue", "\n".join(lines))


if __name__ == "__main__":
    main()
