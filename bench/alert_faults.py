"""Fault runs for the alert fan-out: a worker killed mid-send, the mail server gone a minute.

The same stack as bench/alert_fanout.py (bench/alert_stack.py: production settings,
PostgreSQL, Redis, Celery workers, the counting SMTP sink), N entrepreneurs (default
10,000), one alert published through the real services per scenario. Each scenario waits
until `--at` (default 30%) of the recipients were counted by the sink, then:

kill
    SIGKILL one worker process together with its pool child (a node that dies: nothing
    gets to clean up; `--kill pool-child` kills only the child, which Celery's parent
    notices and replaces, requeueing the task), and starts it again at once. The batch it
    was sending stays behind: the row it was sending is SENDING until its lease ends, the
    rest of its 200 rows QUEUED with their Celery message unacknowledged in Redis (back only
    after Redis's visibility timeout, an hour). The outbox redrive brings both back.
outage
    stops the sink (SIGTERM: the port then refuses connections; its counts are kept) for
    `--outage-seconds` (60), then starts it again. Workers meanwhile get "connection
    refused": the rows of one group per batch (one per SMTP connection) FAILED with a retry
    a minute later (backoff_delay), the rest of the batch left QUEUED for the redrive.

Then it waits until every email delivery is SENT and checks the sink's count per recipient:
nobody missing, and how many got more than one email. With the sent journal, which these
runs use, an email is noted just before the server can take it (decision 0016), so a killed
worker's emails in flight are marked sent by the redrive, not sent again; a server that
goes away after accepting a message but before its answer arrived still means a second
copy with the same Message-ID (core/outbox.py). Duplicates are counted and reported, with
how many a receiving server could drop by Message-ID.

Recovery timing: production waits 10 minutes before taking back a SENDING row and 5 before
re-enqueueing a QUEUED one, and beat runs the redrive every minute. So that a run takes
minutes rather than a quarter of an hour, the scripts set OUTBOX_LEASE_SECONDS (15) and
OUTBOX_REQUEUE_AFTER_SECONDS (30) and send the redrive task every `--redrive-every` seconds
(10) from this process instead of running beat; `--beat` runs the real beat instead, and
`--lease-seconds 600 --requeue-after-seconds 300 --beat` is production timing.

    .venv/bin/python bench/alert_faults.py [--recipients 10000] [--scenario kill outage]
        [--at 0.3] [--kill worker|pool-child] [--outage-seconds 60] [--workers 2]
        [--lease-seconds 15] [--requeue-after-seconds 30] [--redrive-every 10 | --beat]
        [--no-write]

Each scenario prints a RESULT line: PASS when nobody is missing and nobody got two emails;
FAIL otherwise, saying which. The section in docs/benchmarks.md holds both.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import alert_stack
import harness

EMAIL_TIMEOUT_SECONDS = 10  # the production default (conf/includes/email.py)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument(
        "--scenario", nargs="+", choices=["kill", "outage"], default=["kill", "outage"]
    )
    parser.add_argument("--at", type=float, default=0.3, help="share sent when the fault starts")
    parser.add_argument("--kill", choices=["worker", "pool-child"], default="worker")
    parser.add_argument("--outage-seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--pool", choices=("prefork", "threads"), default="prefork")
    parser.add_argument("--lease-seconds", type=int, default=15)
    parser.add_argument("--requeue-after-seconds", type=int, default=30)
    parser.add_argument("--redrive-every", type=float, default=10)
    parser.add_argument("--beat", action="store_true", help="real celery beat (every minute)")
    parser.add_argument("--timeout", type=float, help="seconds to wait for recovery")
    parser.add_argument("--no-write", action="store_true", help="do not update docs")
    args = parser.parse_args()
    if args.lease_seconds <= EMAIL_TIMEOUT_SECONDS:
        # A send still running when its lease ends is sent twice: that would be the bench's
        # doing, not the outbox's.
        parser.error(f"--lease-seconds must exceed EMAIL_TIMEOUT ({EMAIL_TIMEOUT_SECONDS} s)")
    settings = {
        "OUTBOX_LEASE_SECONDS": str(args.lease_seconds),
        "OUTBOX_REQUEUE_AFTER_SECONDS": str(args.requeue_after_seconds),
    }
    results = []
    with (
        alert_stack.running(
            recipients=args.recipients,
            workers=args.workers,
            concurrency=args.concurrency,
            pool=args.pool,
            beat=args.beat,
            settings=settings,
        ) as stack,
        contextlib.nullcontext() if args.beat else alert_stack.redrive_every(args.redrive_every),
    ):
        for scenario in args.scenario:
            stack.sink.reset()
            run = _kill if scenario == "kill" else _outage
            tasks_before = stack.task_summary()
            result = run(stack, args)
            result["tasks"] = _tasks_since(tasks_before, stack.task_summary())
            results.append(result)
    lines = _section(args, results)
    print("\n".join(lines))
    if not args.no_write:
        harness.write_section("alert-faults", "\n".join(lines))
    for result in results:
        print(f"RESULT {result['scenario']}: {result['verdict']}")


def _start(stack: alert_stack.Stack, title: str) -> tuple[int, float, int]:
    alert_id, published_at = stack.publish(title=title)
    message_id, _committed = stack.wait_for_message(alert_id, timeout=600)
    stack.wait_for_sent_channels(alert_id, timeout=600)
    expected = sum(stack.delivery_counts(message_id).get("email", {}).values())
    return message_id, published_at, expected


def _wait_for_share(stack: alert_stack.Stack, expected: int, share: float) -> int:
    target = int(expected * share)
    while (received := stack.sink.stats()["recipients"]) < target:
        time.sleep(0.02)
    return received


def _kill(stack: alert_stack.Stack, args: argparse.Namespace) -> dict[str, Any]:
    print(f"scenario kill ({args.kill}): publishing ...", flush=True)
    message_id, published_at, expected = _start(stack, "Inbraakgolf: let op uw achterdeur")
    received = _wait_for_share(stack, expected, args.at)
    victim = stack.workers[0]
    killed_at = time.time()
    if args.kill == "worker":
        victim.kill()
        victim.start()
    else:
        children = victim.pool_children()
        if not children:
            raise RuntimeError("the worker has no pool child to kill")
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    stack.wait_for_workers([victim])
    # What the dead worker left mid-send: rows claimed before the kill and still SENDING a
    # few seconds later (a live worker's send takes milliseconds), read before the redrive
    # can take them back (the lease is longer).
    time.sleep(max(0.0, killed_at + 3 - time.time()))
    left = stack.stranded_rows(message_id, claimed_before=killed_at)
    print(
        f"  killed {args.kill} at {received}/{expected} received; restarted; "
        f"{left} row(s) left mid-send",
        flush=True,
    )
    return _finish(
        stack,
        args,
        scenario="kill",
        message_id=message_id,
        expected=expected,
        published_at=published_at,
        fault_at=killed_at,
        fault_end=killed_at,
        at_fault=received,
        left_sending=left,
    )


def _outage(stack: alert_stack.Stack, args: argparse.Namespace) -> dict[str, Any]:
    print("scenario outage: publishing ...", flush=True)
    message_id, published_at, expected = _start(stack, "Nepcollectanten in het centrum")
    received = _wait_for_share(stack, expected, args.at)
    stopped_at = time.time()
    stack.sink.stop()
    print(f"  sink stopped at {received}/{expected} received", flush=True)
    time.sleep(args.outage_seconds)
    stack.sink.start()
    back_at = time.time()
    print(f"  sink back after {back_at - stopped_at:.0f} s", flush=True)
    return _finish(
        stack,
        args,
        scenario="outage",
        message_id=message_id,
        expected=expected,
        published_at=published_at,
        fault_at=stopped_at,
        fault_end=back_at,
        at_fault=received,
    )


def _finish(
    stack: alert_stack.Stack,
    args: argparse.Namespace,
    *,
    scenario: str,
    message_id: int,
    expected: int,
    published_at: float,
    fault_at: float,
    fault_end: float,
    at_fault: int,
    left_sending: int = 0,
) -> dict[str, Any]:
    timeout = args.timeout or 900 + expected / 20
    finished = stack.wait_until_sent(message_id, expected, timeout)
    done_at = stack.email_timeline(message_id)[1] if finished else time.time()
    check = stack.verify(message_id)
    print("  " + check.line(), flush=True)
    problems = []
    if not finished:
        problems.append(f"not all sent within {timeout:.0f} s")
    if not check.nothing_lost:
        problems.append(f"{check.missing} recipients without an email")
    if check.extra_emails:
        problems.append(
            f"{check.recipients_more_than_once} recipients got more than one email "
            f"({check.extra_emails_same_message_id} of {check.extra_emails} extra emails "
            "repeat a Message-ID)"
        )
    if check.unexpected:
        problems.append(f"{check.unexpected} unexpected recipients")
    return {
        "scenario": scenario,
        "expected": expected,
        "at_fault": at_fault,
        "left_sending": left_sending,
        "fault_after": fault_at - published_at,
        "fault_seconds": fault_end - fault_at,
        "all_sent_after": done_at - published_at,
        "recovered_after": done_at - fault_end,
        "check": check,
        "verdict": "PASS" if not problems else "FAIL (" + "; ".join(problems) + ")",
    }


def _tasks_since(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The worker-log summary of one scenario: `after` minus what `before` had counted."""
    return {
        "runs": {k: n - before["runs"].get(k, 0) for k, n in after["runs"].items()},
        "sending": {k: n - before["sending"].get(k, 0) for k, n in after["sending"].items()},
        "redriven": after["redriven"] - before["redriven"],
    }


def _section(args: argparse.Namespace, results: list[dict[str, Any]]) -> list[str]:
    redrive = (
        "celery beat (every minute)"
        if args.beat
        else f"the redrive task sent every {args.redrive_every:g} s by the script"
    )
    lines = [
        "## Alert fan-out under faults (issue #4)",
        "",
        f"Run {harness.today()} on {harness.machine()}.",
        "",
        f"`.venv/bin/python bench/alert_faults.py --recipients {args.recipients} "
        f"--at {args.at:g} --kill {args.kill} --outage-seconds {args.outage_seconds:g} "
        f"--pool {args.pool} --concurrency {args.concurrency}` — "
        f"the stack of the fan-out benchmark ({args.workers} `celery worker` processes, "
        f"{args.pool} pool of {args.concurrency} each, PostgreSQL, Redis with the sent journal, "
        f"the counting SMTP sink), "
        f"OUTBOX_LEASE_SECONDS={args.lease_seconds}, "
        f"OUTBOX_REQUEUE_AFTER_SECONDS={args.requeue_after_seconds}, {redrive}. One alert "
        f"per scenario to {args.recipients:,} entrepreneurs; the fault starts once the sink "
        f"has counted {args.at:.0%} of them.",
        "",
        "| scenario | fault | all sent after publish | after the fault ended | missing | "
        "recipients with > 1 email | extra emails (same Message-ID) | rows by status | "
        "attempts per row | result |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        check: alert_stack.Verification = result["check"]
        if result["scenario"] == "kill":
            fault = (
                f"SIGKILL {args.kill} at {result['fault_after']:.1f} s "
                f"({result['at_fault']:,} received; {result['left_sending']} row left "
                "mid-send), restarted"
            )
        else:
            fault = (
                f"sink down at {result['fault_after']:.1f} s ({result['at_fault']:,} "
                f"received) for {result['fault_seconds']:.0f} s"
            )
        lines.append(
            f"| {result['scenario']} | {fault} | {result['all_sent_after']:.1f} s | "
            f"{result['recovered_after']:.1f} s | {check.missing} | "
            f"{check.recipients_more_than_once} | {check.extra_emails} "
            f"({check.extra_emails_same_message_id}) | {check.statuses} | {check.attempts} | "
            f"{result['verdict'].split(' (')[0]} |"
        )
    lines.append("")
    for result in results:
        tasks, sending = result["tasks"], result["tasks"]["sending"]
        lines.append(
            f"- {result['scenario']}, from the worker logs: "
            f"{tasks['runs'].get('send_deliveries', 0)} sending tasks ({sending.get('sent', 0):,} "
            f"sent, {sending.get('skipped', 0):,} skipped as already claimed or sent, "
            f"{sending.get('failed', 0):,} failed, {sending.get('deferred', 0):,} left queued "
            f"behind a failure); deliveries re-enqueued by the redrive: {tasks['redriven']:,}."
        )
    lines += [
        "",
        "Checked per recipient from the sink's counts against the message's email "
        "deliveries. PASS means nobody is missing and nobody got two emails. Each email is "
        "noted in the sent journal just before the server can take it (decision 0016), so "
        "the redrive marks a killed worker's emails in flight sent instead of sending them "
        "again; a copy can still repeat when the server goes away after accepting a message "
        "but before the worker read its answer, and keeps its Message-ID, so a receiving "
        "server can drop it. With production timing (lease 10 "
        "min, requeue after 5 min, beat every minute, at most 5,000 rows per redrive run) the "
        "same recoveries take that much longer.",
    ]
    return lines


if __name__ == "__main__":
    main()
