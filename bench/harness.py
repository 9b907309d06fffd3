"""Shared plumbing of the benchmarks: a throwaway PostgreSQL database, the production
settings, a real gunicorn, wrk as the load generator, and the results file.

Nothing here is used by the application or the tests.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
RESULTS = ROOT / "docs" / "benchmarks.md"
PG = "postgres://postgres@127.0.0.1:5432"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed (Debian package 'wrk')")
    return found


def bench_env(database: str, static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "weerbaar.conf.production",
            "SECRET_KEY": "bench-" + "x" * 60,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"{PG}/{database}",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
            "STATIC_ROOT": static_root,
            "REPORT_INTAKE_RATE": "100000000/hour",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    return env


@contextmanager
def throwaway_database(name_prefix: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Create a database, migrate it, collect static files; drop it afterwards."""
    name = f"{name_prefix}_{int(time.time())}_{os.getpid()}"
    static_root = tempfile.mkdtemp(prefix="weerbaar-bench-static-")
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    env = bench_env(name, static_root)
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        yield name, env
    finally:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--force", name], check=False
        )
        shutil.rmtree(static_root, ignore_errors=True)


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def run_python(env: dict[str, str], code: str) -> str:
    """Run Django code in a separate process with the bench settings; returns stdout."""
    prelude = "import django; django.setup()\n"
    result = subprocess.run(
        [PYTHON, "-c", prelude + code], env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int, threads: int = 1) -> Iterator[str]:
    port = 8931
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "python:weerbaar.conf.gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--backlog",
            "2048",
            "weerbaar.wsgi",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                request = urllib.request.Request(  # noqa: S310 - our own http://127.0.0.1 URL
                    base + "/gezondheid/", headers={"X-Forwarded-Proto": "https"}
                )
                with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not come up")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def wrk(
    url: str,
    script: Path,
    *,
    connections: int,
    seconds: int,
    threads: int = 2,
    env: dict[str, str] | None = None,
) -> dict[str, float]:
    """Run wrk with a Lua script whose done() prints one JSON line; return it."""
    result = subprocess.run(
        [
            ensure_wrk(),
            f"-t{min(threads, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"no result from wrk:\n{result.stdout}\n{result.stderr}")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        text = Path("/proc/cpuinfo").read_text()
        match = re.search(r"model name\s*:\s*(.+)", text)
        cpu = match.group(1).strip() if match else cpu
    except OSError:
        pass
    memory = ""
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    pg = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "show server_version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; Python {platform.python_version()}, "
        f"PostgreSQL {pg}, {platform.system()} {platform.release()}"
    )


def write_section(key: str, markdown: str) -> None:
    """Replace (or append) the section between the markers for `key` in docs/benchmarks.md."""
    start, end = f"<!-- bench:{key}:start -->", f"<!-- bench:{key}:end -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    header = (
        "# Benchmarks\n\nWritten by the scripts in `bench/`; each section says how to rerun it.\n"
    )
    text = RESULTS.read_text() if RESULTS.exists() else header
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text)


def today() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def cpu_seconds_by_program(labels: Mapping[str, str] | None = None) -> dict[str, float]:
    """CPU seconds (user + system) used so far by every process, summed per program name.

    `labels` names processes whose command line contains a key ({"smtp_sink.py": "SMTP
    sink"}): for programs that all run as `python`. A process's count includes its children
    that exited (PostgreSQL backends of closed connections, Celery pool processes), which
    would otherwise vanish from the total."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        joined = b" ".join(cmdline)
        label = next((v for k, v in (labels or {}).items() if k.encode() in joined), None)
        if label is not None:
            name = label
        elif b"gunicorn" in joined:
            name = "gunicorn"
        elif name.startswith("postgres") or b"postgres" in cmdline[0]:
            name = "postgres"
        # utime + stime + cutime + cstime (the last two: children it waited for).
        used = sum(int(value) for value in fields[11:15]) / ticks
        totals[name] = totals.get(name, 0.0) + used
    return totals


def cpu_used_between(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {
        name: round(after[name] - before.get(name, 0.0), 2)
        for name in after
        if after[name] - before.get(name, 0.0) >= 0.05
    }


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    busy, total = after[0] - before[0], after[1] - before[1]
    return busy / total if total else 0.0
