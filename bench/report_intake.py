"""Benchmark: public report intake through the real HTTP stack.

gunicorn (production settings) → Django → DRF → submit_report() (validation, routing rules,
working-day deadlines, receipt-code hash for anonymous reports, timeline, audit entry,
outbox rows and a Celery publish to Redis for identified reporters) → PostgreSQL.
Attachments are excluded, as the issue says. wrk keeps 32 connections busy on the same
machine (it uses a few percent of one core).

Target (issue #3): at least 300 reports/s sustained with p95 under 100 ms at 32 concurrent
clients. After each run the script counts the reports in the database and compares them
with the 201 answers: every accepted report must be there.

    .venv/bin/python bench/report_intake.py [--seconds 30] [--workers 5] [--anon-share 0.3]
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

LUA = Path(__file__).with_name("report_intake.lua")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument(
        "--repeat", type=int, default=2, help="rounds over all shares (this VM's speed varies)"
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--anon-share",
        type=float,
        nargs="+",
        default=[0.3, 0.0, 1.0],
        help="share of anonymous reports per run (each costs a scrypt hash)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs")
    args = parser.parse_args()

    rows = []
    with harness.throwaway_database("weerbaar_bench_intake") as (_name, env):
        harness.manage(env, "load_demo_data", "--force")
        seed = json.loads(
            harness.run_python(
                env,
                "import json\n"
                "from weerbaar.network.models import Municipality\n"
                "from weerbaar.reports.models import RoutingRule\n"
                "from weerbaar.reports.services import selectable_categories\n"
                "towns = list(Municipality.objects.values_list('slug', flat=True))\n"
                "print(json.dumps({'towns': towns,"
                " 'categories': [c.code for c in selectable_categories()],"
                " 'rules': RoutingRule.objects.count()}))",
            )
        )
        occurred = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=3)).isoformat()
        lua_env = {
            "CATEGORIES": ",".join(seed["categories"]),
            "MUNICIPALITIES": ",".join(seed["towns"]),
            "OCCURRED_AT": occurred,
        }
        with harness.gunicorn(env, workers=args.workers, threads=args.threads) as base:
            # Warm up every worker (imports, connections, caches) before measuring.
            harness.wrk(base, LUA, connections=8, seconds=3, env={**lua_env, "ANON_SHARE": "0.3"})
            for run, share in [
                (run, share) for run in range(1, args.repeat + 1) for share in args.anon_share
            ]:
                before = _count(env)
                cpu_before = harness.cpu_seconds_by_program()
                ticks_before = harness.machine_ticks()
                result = harness.wrk(
                    base,
                    LUA,
                    connections=args.connections,
                    seconds=args.seconds,
                    env={**lua_env, "ANON_SHARE": str(share)},
                )
                cpu = harness.cpu_used_between(cpu_before, harness.cpu_seconds_by_program())
                busy = harness.busy_share(ticks_before, harness.machine_ticks())
                stored = _count(env) - before
                ok = result["requests"] - result["unexpected_status"] - result["socket_errors"]
                result.update(
                    {
                        "run": run,
                        "anon_share": share,
                        "rate": ok / result["seconds"],
                        "stored": stored,
                        "ok": ok,
                        "cpu": cpu,
                        "machine_busy": busy,
                    }
                )
                rows.append(result)
                print(json.dumps(result))
        routing_rules = seed["rules"]

    lines = [
        "## Report intake (issue #3)",
        "",
        f"Run {harness.today()} on {harness.machine()}.",
        "",
        f"`.venv/bin/python bench/report_intake.py` — gunicorn {args.workers} workers × "
        f"{args.threads} thread(s), production settings, PostgreSQL, Redis (Celery publish for "
        f"acknowledgements; no worker consuming), {routing_rules} routing rules, demo network; "
        f"wrk with {args.connections} connections for {args.seconds} s per row; every body "
        "differs (municipality, category, text, address); attachments excluded.",
        "",
        "| run | anonymous share | reports/s (201) | p50 ms | p95 ms | p99 ms | max ms | "
        "errors | 201 answers | rows stored | app CPU ms per report | machine CPU busy |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        app_cpu = row["cpu"].get("gunicorn", 0.0) / max(row["ok"], 1) * 1000
        lines.append(
            f"| {row['run']} | {row['anon_share']:.0%} | {row['rate']:.0f} | "
            f"{row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{row['max_ms']:.0f} | {row['unexpected_status'] + row['socket_errors']:.0f} | "
            f"{row['ok']:.0f} | {row['stored']:.0f} | {app_cpu:.1f} | {row['machine_busy']:.0%} |"
        )
    lines += [
        "",
        "Target: ≥ 300 reports/s with p95 < 100 ms at 32 concurrent clients. "
        "'rows stored' counts the reports in the database after the run: every 201 answer is "
        "there; the few more (at most one per connection) are requests that were still in "
        "flight when wrk stopped counting and were committed after it. 'app CPU' is the CPU "
        "time of the gunicorn processes divided by the accepted reports; 'machine CPU busy' "
        "is the share of both cores in use during the row (gunicorn, PostgreSQL, Redis, wrk).",
    ]
    print("\n".join(lines))
    if not args.no_write:
        harness.write_section("report-intake", "\n".join(lines))


def _count(env: dict[str, str]) -> int:
    out = harness.run_python(
        env, "from weerbaar.reports.models import Report; print(Report.objects.count())"
    )
    return int(out.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
