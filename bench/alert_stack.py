"""Shared plumbing of the alert benchmarks (bench/alert_fanout.py, bench/alert_faults.py).

`running()` brings up, for one run, what production runs for an alert:

- a throwaway PostgreSQL database with the migrations (harness) and N entrepreneurs in one
  area who asked for alerts, plus an OOV officer who may publish (bench/alert_seed.py);
- the SMTP sink (bench/smtp_sink.py) as the mail server, on a free local port;
- Celery workers (`celery -A weerbaar worker`, prefork pool unless `pool` says threads)
  and, unless the caller drives the redrive itself, `celery beat`, on a Redis database of
  their own (REDIS_URL, flushed at the start and the end, also the sent journal), with the
  production settings, CELERY_TASK_ALWAYS_EAGER=false, mail through SMTP to the sink and the
  default OUTBOX_DISPATCH_WINDOW;
- Django in this process, on the same database and broker, to publish the alert through
  the real services (create_alert + send_alert as the officer) and to watch the rows.

Everything is stopped and the database dropped when the block ends, also on Ctrl-C, SIGTERM
or an error. The work folder (sink state, worker logs) is removed after a clean run (kept
when BENCH_KEEP_LOGS is set) and kept after a failed one, and its path printed.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import harness
import smtp_sink

REDIS_URL = "redis://127.0.0.1:6379/13"  # the alert benchmarks' own; flushed
CELERY = str(harness.ROOT / ".venv" / "bin" / "celery")
SEED = Path(__file__).with_name("alert_seed.py")
# Process kinds for the CPU accounting (harness.cpu_seconds_by_program).
CPU_LABELS = {
    "smtp_sink.py serve": "SMTP sink",
    "smtp_sink.py blast": "probe client",
    "alertbench-worker": "Celery workers",
    "alertbench-beat": "Celery beat",
    "alert_fanout.py": "bench script (publish, polling)",
    "alert_faults.py": "bench script (publish, polling)",
}
TASK_DONE = re.compile(
    r"Task (?P<name>[\w.]+)\[[^\]]+\] succeeded in (?P<seconds>[\d.e-]+)s: (?P<result>.*)$"
)


@dataclass
class Seed:
    municipality: int
    area: int
    staff_email: str
    people: int


def bench_alert(seed: Seed, title: str = "Oplichters met valse tientjes") -> tuple[Any, Any]:
    """The officer of the seeded area and the alert draft every alert benchmark publishes
    (Django must be set up)."""
    from weerbaar.accounts.models import User
    from weerbaar.accounts.policy import actor_for
    from weerbaar.alerts.services import alerts
    from weerbaar.network.models import Area

    draft = alerts.AlertDraft(
        title=title,
        message="Twee mannen betalen met valse biljetten van 10 euro in het centrum. Ze "
        "kopen iets kleins en vragen wisselgeld terug.",
        category="counterfeit_money",
        severity="warning",
        advice="Controleer biljetten met de voel-kijk-kantelmethode en bel 112 bij twijfel.",
        expires_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2),
        areas=[Area.objects.get(pk=seed.area)],
    )
    return actor_for(User.objects.get(email=seed.staff_email)), draft


class Worker:
    """One `celery worker` process (its pool children in the same process group)."""

    def __init__(
        self, index: int, env: dict[str, str], workdir: Path, concurrency: int, pool: str
    ) -> None:
        self.name = f"alertbench-worker{index}@{socket.gethostname()}"
        self.env = env
        self.log = workdir / f"worker{index}.log"
        self.concurrency = concurrency
        self.pool = pool
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    CELERY,
                    "-A",
                    "weerbaar",
                    "worker",
                    "--pool",
                    self.pool,
                    "--concurrency",
                    str(self.concurrency),
                    "--hostname",
                    self.name,
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "INFO",
                ],
                env=self.env,
                cwd=harness.ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def pool_children(self) -> list[int]:
        if self.process is None:
            return []
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once: nothing gets to clean up."""
        if self.process is None:
            return
        process, self.process = self.process, None
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        """Warm shutdown (finish the running task), SIGKILL after 30 s."""
        if self.process is None:
            return
        process = self.process
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        self.kill()


class Stack:
    """What `running()` yields: the seed, the sink, the workers, and the calls a benchmark
    makes against Django in this process."""

    def __init__(self, seed: Seed, sink: smtp_sink.Sink, workers: list[Worker]) -> None:
        self.seed = seed
        self.sink = sink
        self.workers = workers

    # --- workers -------------------------------------------------------------------------

    def wait_for_workers(self, workers: list[Worker] | None = None, timeout: float = 90) -> None:
        from weerbaar.celery import app

        names = {worker.name for worker in workers or self.workers}
        deadline = time.monotonic() + timeout
        while names:
            for reply in app.control.ping(destination=sorted(names), timeout=0.5):
                names -= set(reply)
            if names and time.monotonic() > deadline:
                raise RuntimeError(f"workers did not come up: {sorted(names)}")

    def task_summary(self) -> dict[str, Any]:
        """From the worker logs: tasks run per name, and the summed results of the sending
        and redrive tasks (what was sent, skipped as already claimed, deferred...)."""
        runs: Counter[str] = Counter()
        sending: Counter[str] = Counter()
        redriven = 0
        fan_out_seconds: list[float] = []
        for worker in self.workers:
            if not worker.log.exists():
                continue
            for line in worker.log.read_text(errors="replace").splitlines():
                found = TASK_DONE.search(line)
                if not found:
                    continue
                name = found["name"].rsplit(".", 1)[-1]
                runs[name] += 1
                if name == "send_deliveries":
                    sending.update(json.loads(found["result"].replace("'", '"')))
                elif name == "redrive_stale_deliveries":
                    redriven += int(found["result"])
                elif name == "fan_out_alert":
                    fan_out_seconds.append(float(found["seconds"]))
        return {
            "runs": dict(runs),
            "sending": dict(sending),
            "redriven": redriven,
            "fan_out_seconds": fan_out_seconds,
        }

    # --- Django --------------------------------------------------------------------------

    def publish(self, title: str = "Oplichters met valse tientjes") -> tuple[int, float]:
        """Write an alert for the seeded area as the officer and send it, through the real
        services. Returns the alert id and the time just before send_alert()."""
        from weerbaar.alerts.services import alerts

        actor, draft = bench_alert(self.seed, title)
        alert = alerts.create_alert(actor, draft)
        started = time.time()
        alerts.send_alert(actor, alert)
        return alert.pk, started

    def wait_for_message(self, alert_id: int, timeout: float) -> tuple[int, float]:
        """Poll (every 10 ms) until the fan-out's first step committed the alert's outbox
        message together with every inbox row (one transaction). Returns the message id and
        when it was first seen."""
        from weerbaar.core.models import OutboundMessage

        query = OutboundMessage.objects.filter(
            source_type="alerts.alert", source_id=str(alert_id), kind="alert"
        ).values_list("pk", flat=True)
        deadline = time.monotonic() + timeout
        while (message_id := query.first()) is None:
            if time.monotonic() > deadline:
                raise RuntimeError("the fan-out did not store the message in time")
            time.sleep(0.01)
        return message_id, time.time()

    def wait_for_sent_channels(self, alert_id: int, timeout: float) -> float:
        """Poll until the fan-out's second step committed the deliveries that leave the
        platform (it sets the alert's `reach` in the same transaction). Returns when."""
        from weerbaar.alerts.models import Alert

        deadline = time.monotonic() + timeout
        while not Alert.objects.filter(pk=alert_id).exclude(reach={}).exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the fan-out did not queue the emails in time")
            time.sleep(0.01)
        return time.time()

    def delivery_counts(self, message_id: int) -> dict[str, dict[str, int]]:
        from weerbaar.alerts.services.broadcast import delivery_counts
        from weerbaar.core.models import OutboundMessage

        return delivery_counts(OutboundMessage.objects.get(pk=message_id))

    def unsent_emails(self, message_id: int) -> int:
        from weerbaar.core.models import Delivery, DeliveryStatus

        return (
            Delivery.objects.filter(message_id=message_id, channel="email")
            .exclude(status=DeliveryStatus.SENT)
            .count()
        )

    def stranded_rows(self, message_id: int, *, claimed_before: float) -> int:
        """Email rows of the message still SENDING that were claimed before that moment."""
        from weerbaar.core.models import Delivery, DeliveryStatus

        return Delivery.objects.filter(
            message_id=message_id,
            channel="email",
            status=DeliveryStatus.SENDING,
            claimed_at__lt=datetime.datetime.fromtimestamp(claimed_before, datetime.UTC),
        ).count()

    def wait_until_sent(self, message_id: int, expected: int, timeout: float) -> bool:
        """Poll the sink (every 0.2 s; cheap) and, once it has seen `expected` recipients,
        the database, until every email delivery of the message is SENT. False on
        timeout."""
        deadline = time.monotonic() + timeout
        last_print = 0.0
        while time.monotonic() < deadline:
            try:
                received = self.sink.stats()["recipients"]
            except OSError:
                received = -1  # the sink is down (the outage scenario)
            if received >= expected and self.unsent_emails(message_id) == 0:
                return True
            if time.monotonic() - last_print > 10:
                last_print = time.monotonic()
                print(f"  ... sink has {received} of {expected} recipients", flush=True)
            time.sleep(0.2)
        return False

    def email_timeline(self, message_id: int) -> tuple[float, float]:
        """When the first and the last email delivery was marked sent (epoch seconds)."""
        from django.db.models import Max, Min

        from weerbaar.core.models import Delivery

        span = Delivery.objects.filter(message_id=message_id, channel="email").aggregate(
            first=Min("sent_at"), last=Max("sent_at")
        )
        return span["first"].timestamp(), span["last"].timestamp()

    def verify(self, message_id: int) -> Verification:
        """Compare the sink's counts with the message's email deliveries."""
        from weerbaar.core.models import Delivery

        rows = Delivery.objects.filter(message_id=message_id, channel="email")
        expected = set(rows.values_list("address", flat=True))
        statuses = Counter(rows.values_list("status", flat=True))
        attempts = Counter(rows.values_list("attempts", flat=True))
        dump = self.sink.dump()
        received: dict[str, int] = dump["by_recipient"]
        repeated = {
            key: n for key, n in dump["repeated_message_ids"].items() if "weerbaar.delivery" in key
        }
        extra = {address: n - 1 for address, n in received.items() if address in expected and n > 1}
        return Verification(
            expected=len(expected),
            received=sum(1 for address in received if address in expected),
            missing=len(expected - received.keys()),
            recipients_more_than_once=len(extra),
            extra_emails=sum(extra.values()),
            extra_emails_same_message_id=sum(n - 1 for n in repeated.values()),
            unexpected=sum(1 for address in received if address not in expected),
            statuses=dict(statuses),
            attempts=dict(sorted(attempts.items())),
        )


@dataclass
class Verification:
    expected: int
    received: int
    missing: int
    recipients_more_than_once: int
    extra_emails: int
    # Of the extra emails, those repeating a Message-ID already received: a receiving
    # server that drops repeated Message-IDs shows the recipient one email.
    extra_emails_same_message_id: int
    unexpected: int
    statuses: dict[str, int] = field(default_factory=dict)
    attempts: dict[int, int] = field(default_factory=dict)

    @property
    def nothing_lost(self) -> bool:
        return self.missing == 0 and self.received == self.expected

    @property
    def exactly_once(self) -> bool:
        return self.nothing_lost and self.extra_emails == 0 and self.unexpected == 0

    def line(self) -> str:
        return (
            f"{self.received}/{self.expected} recipients got an email, {self.missing} missing; "
            f"{self.recipients_more_than_once} got more than one ({self.extra_emails} extra "
            f"emails, {self.extra_emails_same_message_id} of them repeating a Message-ID); "
            f"delivery rows {self.statuses}, attempts per row {self.attempts}"
        )


@contextmanager
def redrive_every(seconds: float) -> Iterator[None]:
    """Send the redrive task (what beat sends every minute) every `seconds` instead, from a
    thread of this process: the fault runs watch a recovery in seconds, not minutes."""
    from weerbaar.celery import app

    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(seconds):
            try:
                app.send_task("weerbaar.core.tasks.redrive_stale_deliveries")
            except Exception as error:  # keep trying, as beat would
                print(f"  redrive not sent: {error!r}", flush=True)

    thread = threading.Thread(target=loop, name="redrive", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@contextmanager
def running(
    *,
    recipients: int,
    workers: int,
    concurrency: int,
    beat: bool,
    pool: str = "prefork",
    settings: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """The whole stack for one run; see the module docstring. `settings` are extra
    environment variables for every process (OUTBOX_LEASE_SECONDS, ...)."""
    _raise_on_sigterm()
    workdir = Path(tempfile.mkdtemp(prefix="weerbaar-bench-alerts-"))
    clean = False
    _flush_redis()
    try:
        with (
            harness.throwaway_database("weerbaar_bench_alerts") as (_name, base_env),
            ExitStack() as stack,
        ):
            sink = smtp_sink.Sink(workdir)
            env = {
                **base_env,
                "CELERY_BROKER_URL": REDIS_URL,
                "CACHE_URL": REDIS_URL,
                "CELERY_TASK_ALWAYS_EAGER": "false",
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": smtp_sink.HOST,
                "EMAIL_PORT": str(sink.port),
                "DEFAULT_FROM_EMAIL": "Weerbaar Benchstad <noreply@benchstad.example.nl>",
                "SITE_URL": "https://weerbaar.example.nl",
                # Production runs with the sent journal on the same Redis (README).
                "OUTBOX_SENT_JOURNAL_URL": REDIS_URL,
                **(settings or {}),
            }
            print(f"seeding {recipients} entrepreneurs ...", flush=True)
            seeded = subprocess.run(
                [harness.PYTHON, str(SEED), str(recipients)],
                env=env,
                check=False,
                capture_output=True,
                text=True,
            )
            if seeded.returncode:
                raise RuntimeError(f"seeding failed:\n{seeded.stderr[-3000:]}")
            seed = Seed(**json.loads(seeded.stdout.strip().splitlines()[-1]))
            if seed.people != recipients:
                raise RuntimeError(f"seeded {seed.people} people, not {recipients}")

            stack.callback(sink.stop)
            sink.start()

            os.environ.update(env)
            sys.path.insert(0, str(harness.ROOT / "src"))
            import django

            django.setup()
            from django.db import connections

            stack.callback(connections.close_all)

            pool_of_workers = [
                Worker(index, env, workdir, concurrency, pool) for index in range(1, workers + 1)
            ]
            for worker in pool_of_workers:
                stack.callback(worker.stop)
                worker.start()
            if beat:
                stack.enter_context(_beat(env, workdir))
            result = Stack(seed, sink, pool_of_workers)
            result.wait_for_workers()
            yield result
        clean = True
    finally:
        _flush_redis()
        if clean and not os.environ.get("BENCH_KEEP_LOGS"):
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"logs kept in {workdir}", flush=True)


@contextmanager
def _beat(env: dict[str, str], workdir: Path) -> Iterator[None]:
    with (workdir / "beat.log").open("ab") as log:
        process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "weerbaar",
                "beat",
                "--schedule",
                str(workdir / "alertbench-beat-schedule"),
                "--loglevel",
                "INFO",
            ],
            env=env,
            cwd=harness.ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _raise_on_sigterm() -> None:
    """SIGTERM and SIGHUP end the run like Ctrl-C does: through the finally blocks. Ctrl-C
    too when the script was started in the background (where SIGINT starts out ignored)."""

    def stop(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
