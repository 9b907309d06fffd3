"""CPU per email of the outbox's send loop, in this process, against the real SMTP sink.

What a Celery worker does for an alert's emails, without Celery around it: the real services
publish one alert to N seeded entrepreneurs (create_alert + send_alert, the fan-out run
inline), with the hand-over to Celery replaced by a list of the email deliveries' ids; then
this process calls `outbox.send_delivery_batch()` on them in batches of
`dispatch.BATCH_SIZE`, as the `send_deliveries` task would, over SMTP to bench/smtp_sink.py
on a throwaway PostgreSQL database with the production settings. So every email is the real
alert email (its text, its List-Unsubscribe link), and the claims and marks are the real
statements.

Per round it measures this process's CPU (time.process_time: what a worker spends per
email), the CPU of the PostgreSQL backend serving it and of the sink (from /proc), and the
wall time. After a round every delivery is put back to QUEUED (attempts 0) for the next one,
so the rounds send the same rows; the first round is a warm-up and is shown but not counted
in the median. `--profile` runs one more round under cProfile, timed by this process's CPU
(not the clock, so waiting for a reply does not count), and prints the functions with the
most CPU of their own, and the most in all.

    .venv/bin/python bench/send_profile.py [--recipients 4000] [--rounds 4] [--profile]

It compares code, not machines: run it before and after a change on the same machine, and
prefer the CPU figures to the wall time (this machine's two cores are shared).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import alert_stack
import harness
import smtp_sink


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=4, help="the first is a warm-up")
    parser.add_argument("--profile", action="store_true", help="one more round in cProfile")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="weerbaar-bench-send-"))
    with harness.throwaway_database("weerbaar_bench_send") as (_name, base_env):
        sink = smtp_sink.Sink(workdir)
        env = {
            **base_env,
            "CELERY_TASK_ALWAYS_EAGER": "true",  # the fan-out runs here; sending is replaced
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": smtp_sink.HOST,
            "EMAIL_PORT": str(sink.port),
            "DEFAULT_FROM_EMAIL": "Weerbaar Benchstad <noreply@benchstad.example.nl>",
            "SITE_URL": "https://weerbaar.example.nl",
        }
        seeded = subprocess.run(
            [harness.PYTHON, str(alert_stack.SEED), str(args.recipients)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        seed = alert_stack.Seed(**json.loads(seeded.stdout.strip().splitlines()[-1]))
        sink.start()
        try:
            os.environ.update(env)
            sys.path.insert(0, str(harness.ROOT / "src"))
            import django

            django.setup()
            ids = _publish_alert(seed)
            rounds = [_send_round(ids, sink) for _ in range(args.rounds)]
            profile = _profiled_round(ids, sink) if args.profile else ""
        finally:
            from django.db import connections

            connections.close_all()
            sink.stop()
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"{len(ids)} emails per round, batches of {_batch_size()}:")
    for number, result in enumerate(rounds, start=1):
        print(
            f"round {number}{' (warm-up)' if number == 1 else ''}: "
            + ", ".join(f"{key} {value:.3f}" for key, value in result.items())
        )
    counted = rounds[1:] or rounds
    print(
        "median over the counted rounds: "
        + ", ".join(f"{key} {statistics.median(r[key] for r in counted):.3f}" for key in counted[0])
    )
    if profile:
        print(profile)


def _batch_size() -> int:
    from weerbaar.core.dispatch import BATCH_SIZE

    return BATCH_SIZE


def _publish_alert(seed: alert_stack.Seed) -> list[int]:
    """Publish one alert through the real services; returns its email deliveries' ids, which
    the outbox would have handed to Celery."""
    from weerbaar.alerts.services import alerts
    from weerbaar.core import outbox
    from weerbaar.core.models import Delivery

    handed_over: list[int] = []
    outbox.enqueue_on_commit = handed_over.extend  # type: ignore[assignment]
    actor, draft = alert_stack.bench_alert(seed)
    alerts.send_alert(actor, alerts.create_alert(actor, draft))
    emails = set(Delivery.objects.filter(channel="email").values_list("pk", flat=True))
    ids = [pk for pk in handed_over if pk in emails]
    if len(ids) != seed.people:
        raise RuntimeError(f"{len(ids)} email deliveries queued for {seed.people} people")
    return ids


def _send_round(ids: list[int], sink: smtp_sink.Sink) -> dict[str, float]:
    from django.db import connection
    from django.utils import timezone

    from weerbaar.core import outbox
    from weerbaar.core.models import Delivery, DeliveryStatus

    Delivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(), sent_at=None
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    size = _batch_size()
    cpu, wall = time.process_time(), time.perf_counter()
    pg, sink_cpu = _cpu(backend), _cpu(sink.pid)
    sent = 0
    for start in range(0, len(ids), size):
        sent += outbox.send_delivery_batch(ids[start : start + size]).sent
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    pg, sink_cpu = _cpu(backend) - pg, _cpu(sink.pid) - sink_cpu
    if sent != len(ids):
        raise RuntimeError(f"sent {sent} of {len(ids)}")
    per_email = 1000 / len(ids)
    return {
        "worker CPU ms/email": cpu * per_email,
        "postgres CPU ms/email": pg * per_email,
        "sink CPU ms/email": sink_cpu * per_email,
        "wall ms/email": wall * per_email,
        "emails/s (one worker)": len(ids) / wall,
    }


def _profiled_round(ids: list[int], sink: smtp_sink.Sink) -> str:
    # Timed by CPU, not the clock: waiting for PostgreSQL or the sink costs a worker nothing.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    _send_round(ids, sink)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    return out.getvalue()


def _cpu(pid: Any) -> float:
    return smtp_sink._process_cpu_seconds(pid)


if __name__ == "__main__":
    main()
