"""The SMTP sink of the alert benchmarks, and the minimal client that measures its top rate.

A real SMTP server on 127.0.0.1 (aiosmtpd on asyncio, one process, so at most one core) that
accepts every message and counts it per envelope recipient and per Message-ID header. Per
message it does one regular-expression search for the Message-ID in the raw bytes and a few
dictionary increments: no parsing, no storing, no logging, so what limits it is aiosmtpd's
own protocol handling, and the rate the minimal client measures is honest.

    .venv/bin/python bench/smtp_sink.py serve --port 8025 --control-port 8026 [--state FILE]

The control port answers one command per connection with one JSON line:

    STATS   messages, bytes, recipients seen, recipients with more than one message,
            Message-IDs seen and counted more than once, time of the first and last message
    DUMP    STATS plus the count per recipient and the Message-IDs counted more than once
    SAMPLE  the raw bytes of the first message received (base64)
    RESET   forget everything (the sample included)

SIGTERM or SIGINT closes every connection, writes the counts to --state and ends the
process (closing first: nothing is accepted after the counts are written); a sink started
on an existing --state file goes on counting from there. That is how the counts survive the minute
that bench/alert_faults.py keeps the sink down. (SIGKILL loses them: do not.)

The minimal client (`measure_max_rate`, or the `blast` command it starts) replays the
sample: each client process prebuilds its share of the messages from it (another recipient
and Message-ID each, otherwise the same bytes as a real alert email), opens one persistent
smtplib connection, and on a common "go" sends them back to back. The rate is all messages
over the time from "go" until the last client is done. The benchmarks measure with one and
with two clients and take the higher as the sink's maximum; the sink's CPU use during the
probe shows whether the sink itself was the limit (close to one core) or the client was.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from collections import Counter
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

HOST = "127.0.0.1"
PROBE_SENDER = "probe@bench.invalid"
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)
TO_HEADER = re.compile(rb"^To:[^\r\n]*", re.IGNORECASE | re.MULTILINE)
PYTHON = str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "python")


# --- the server ----------------------------------------------------------------------------


class Counts:
    """The aiosmtpd handler: counts, nothing else."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.by_recipient: Counter[str] = Counter()
        self.by_message_id: Counter[bytes] = Counter()
        self.messages = 0
        self.bytes = 0
        self.first_at: float | None = None
        self.last_at = 0.0
        self.sample: bytes | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)  # decode_data=False
        found = MESSAGE_ID.search(content)
        self.by_message_id[found.group(1) if found else b""] += 1
        for address in envelope.rcpt_tos:
            self.by_recipient[address] += 1
        self.messages += 1
        self.bytes += len(content)
        self.last_at = time.time()
        if self.first_at is None:
            self.first_at = self.last_at
            self.sample = content
        return "250 OK"

    def stats(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "bytes": self.bytes,
            "recipients": len(self.by_recipient),
            "recipients_more_than_once": sum(1 for n in self.by_recipient.values() if n > 1),
            "message_ids": len(self.by_message_id),
            "message_ids_more_than_once": sum(1 for n in self.by_message_id.values() if n > 1),
            "first_at": self.first_at,
            "last_at": self.last_at,
        }

    def dump(self) -> dict[str, Any]:
        return {
            **self.stats(),
            "by_recipient": dict(self.by_recipient),
            "repeated_message_ids": {
                key.decode(errors="replace"): n for key, n in self.by_message_id.items() if n > 1
            },
        }

    def save(self, path: Path) -> None:
        state = {
            **self.stats(),
            "by_recipient": dict(self.by_recipient),
            "by_message_id": {
                key.decode(errors="replace"): n for key, n in self.by_message_id.items()
            },
            "sample": base64.b64encode(self.sample).decode() if self.sample else None,
        }
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state))
        temporary.replace(path)

    def load(self, path: Path) -> None:
        state = json.loads(path.read_text())
        self.by_recipient = Counter(state["by_recipient"])
        self.by_message_id = Counter({key.encode(): n for key, n in state["by_message_id"].items()})
        self.messages, self.bytes = state["messages"], state["bytes"]
        self.first_at, self.last_at = state["first_at"], state["last_at"]
        self.sample = base64.b64decode(state["sample"]) if state["sample"] else None


async def serve(port: int, control_port: int, state: Path | None) -> None:
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    counts = Counts()
    if state is not None and state.exists():
        counts.load(state)
    loop = asyncio.get_running_loop()

    connections: weakref.WeakSet[SMTP] = weakref.WeakSet()

    def smtp_protocol() -> SMTP:
        # A fixed hostname: the default looks up the FQDN for every connection.
        protocol = SMTP(counts, hostname="sink.bench.invalid", ident="weerbaar bench sink")
        connections.add(protocol)
        return protocol

    async def control(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        command = (await reader.readline()).decode().strip().upper()
        answer: Any
        if command == "STATS":
            answer = counts.stats()
        elif command == "DUMP":
            answer = counts.dump()
        elif command == "SAMPLE":
            answer = {"sample": base64.b64encode(counts.sample).decode() if counts.sample else None}
        elif command == "RESET":
            counts.reset()
            answer = {"ok": True}
        else:
            answer = {"error": f"unknown command {command!r}"}
        writer.write(json.dumps(answer).encode() + b"\n")
        await writer.drain()
        writer.close()

    smtp_server = await loop.create_server(smtp_protocol, HOST, port, backlog=1024)
    control_server = await asyncio.start_server(control, HOST, control_port)
    stopped = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopped.set)
    await stopped.wait()
    smtp_server.close()
    control_server.close()
    # Close every open connection before the counts are written: a message whose DATA is
    # handled later in this turn of the event loop would otherwise be counted after the
    # save, and its "250" still reach the client (seen once: the client marked it sent, the
    # restarted sink had never counted it). After close() the transport drops the reply.
    for protocol in list(connections):
        if protocol.transport is not None:
            protocol.transport.close()
    if state is not None:
        counts.save(state)


# --- talking to a running sink -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def ask(control_port: int, command: str, timeout: float = 60.0) -> dict[str, Any]:
    """Send one control command to the sink and return its JSON answer."""
    with socket.create_connection((HOST, control_port), timeout=timeout) as connection:
        connection.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := connection.recv(1 << 20):
            chunks.append(chunk)
    result: dict[str, Any] = json.loads(b"".join(chunks))
    return result


class Sink:
    """The sink as a child process of a benchmark: start, stop (counts kept), query."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.control_port = free_port()
        self.state = workdir / "smtp-sink-state.json"
        self.log = workdir / "smtp-sink.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    PYTHON,
                    __file__,
                    "serve",
                    "--port",
                    str(self.port),
                    "--control-port",
                    str(self.control_port),
                    "--state",
                    str(self.state),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 20
        while True:
            try:
                self.stats()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the SMTP sink did not start; see {self.log}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM: the sink saves its counts and exits; the port refuses connections."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def stats(self) -> dict[str, Any]:
        return ask(self.control_port, "STATS", timeout=5)

    def dump(self) -> dict[str, Any]:
        return ask(self.control_port, "DUMP")

    def sample(self) -> bytes | None:
        encoded = ask(self.control_port, "SAMPLE")["sample"]
        return base64.b64decode(encoded) if encoded else None

    def reset(self) -> None:
        ask(self.control_port, "RESET")


def measure_max_rate(sink: Sink, *, count: int, clients: int) -> dict[str, Any]:
    """The minimal client: `clients` processes replay the sink's sample message `count`
    times in all, each over one persistent connection. Returns the rate and the sink's CPU
    share while it ran."""
    processes = [
        subprocess.Popen(
            [
                PYTHON,
                __file__,
                "blast",
                "--port",
                str(sink.port),
                "--control-port",
                str(sink.control_port),
                "--count",
                str(count // clients + (1 if part < count % clients else 0)),
                "--tag",
                f"c{clients}p{part}t{time.monotonic_ns()}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for part in range(clients)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            if process.stdout.readline().strip() != "ready":
                raise RuntimeError("a probe client did not get ready")
        sink_cpu_before = _process_cpu_seconds(sink.pid)
        started = time.time()
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = []
        for process in processes:
            out, _err = process.communicate(timeout=3600)
            results.append(json.loads(out.strip().splitlines()[-1]))
        seconds = max(r["finished_at"] for r in results) - started
        sink_cpu = _process_cpu_seconds(sink.pid) - sink_cpu_before
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    sent = sum(r["sent"] for r in results)
    return {
        "clients": clients,
        "messages": sent,
        "seconds": seconds,
        "rate": sent / seconds,
        # None when the sink was not started by this process (its pid is unknown).
        "sink_cpu_share": sink_cpu / seconds if sink.pid is not None else None,
    }


def _process_cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the minimal client (one process of measure_max_rate) ----------------------------------


def blast(port: int, control_port: int, count: int, tag: str) -> None:
    encoded = ask(control_port, "SAMPLE")["sample"]
    sample = base64.b64decode(encoded) if encoded else _fallback_message()
    messages = []
    for number in range(count):
        recipient = f"probe-{tag}-{number}@probe.bench.invalid"
        data = TO_HEADER.sub(f"To: {recipient}".encode(), sample, count=1)
        data = MESSAGE_ID.sub(f"Message-ID: <probe.{tag}.{number}@bench.invalid>".encode(), data, 1)
        messages.append((recipient, data))
    client = smtplib.SMTP(HOST, port, local_hostname="probe.bench.invalid")
    client.ehlo()
    print("ready", flush=True)
    sys.stdin.readline()
    for recipient, data in messages:
        client.sendmail(PROBE_SENDER, [recipient], data)
    finished_at = time.time()
    client.quit()
    print(json.dumps({"sent": count, "finished_at": finished_at}), flush=True)


def _fallback_message() -> bytes:
    """Used only when the sink has received nothing yet: a plain message of about 2 KB."""
    body = b"\r\n".join([b"Dit is een testbericht van de benchmark, regel voor regel."] * 35)
    return (
        b"Content-Type: text/plain; charset=utf-8\r\nSubject: Probe\r\n"
        b"From: Weerbaar <noreply@bench.invalid>\r\nTo: x@bench.invalid\r\n"
        b"Message-ID: <x@bench.invalid>\r\n\r\n" + body + b"\r\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run the sink")
    serve_parser.add_argument("--port", type=int, default=8025)
    serve_parser.add_argument("--control-port", type=int, default=8026)
    serve_parser.add_argument("--state", type=Path, help="counts survive a stop here")
    probe_parser = commands.add_parser("probe", help="measure a running sink's top rate")
    probe_parser.add_argument("--port", type=int, default=8025)
    probe_parser.add_argument("--control-port", type=int, default=8026)
    probe_parser.add_argument("--count", type=int, default=20_000)
    probe_parser.add_argument("--clients", type=int, nargs="+", default=[1, 2])
    blast_parser = commands.add_parser("blast", help="one probe client (used by probe)")
    blast_parser.add_argument("--port", type=int, required=True)
    blast_parser.add_argument("--control-port", type=int, required=True)
    blast_parser.add_argument("--count", type=int, required=True)
    blast_parser.add_argument("--tag", required=True)
    args = parser.parse_args()
    if args.command == "serve":
        asyncio.run(serve(args.port, args.control_port, args.state))
    elif args.command == "blast":
        blast(args.port, args.control_port, args.count, args.tag)
    else:
        # A sink started by hand: fill in its pid so that its CPU share can be read.
        sink = Sink(Path(tempfile.gettempdir()))
        sink.port, sink.control_port = args.port, args.control_port
        for clients in args.clients:
            print(json.dumps(measure_max_rate(sink, count=args.count, clients=clients)))


if __name__ == "__main__":
    main()
