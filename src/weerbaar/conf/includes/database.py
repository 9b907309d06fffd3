"""Database: SQLite by default (embedded column), PostgreSQL via DATABASE_URL."""

from pathlib import Path

import dj_database_url

from weerbaar.conf.environ import config

_SQLITE_FILE = Path(__file__).resolve().parents[4] / "var" / "weerbaar.sqlite3"
_default_sqlite = f"sqlite:///{_SQLITE_FILE}"

DATABASE_URL = config(
    "DATABASE_URL",
    _default_sqlite,
    help="Database URL. Default: SQLite file var/weerbaar.sqlite3 in the repository. "
    "PostgreSQL: postgres://user:pass@host:5432/name",
)

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=config(
            "DATABASE_CONN_MAX_AGE", 60, help="Seconds a database connection is reused."
        ),
        conn_health_checks=True,
    )
}
if _default_sqlite == DATABASE_URL:
    _SQLITE_FILE.parent.mkdir(exist_ok=True)
# PostgreSQL only. Parameters travel separately from the SQL (no quoting in Python), and a
# statement a connection runs again is prepared once: less CPU on both sides for the
# repeated inserts of the report intake (docs/benchmarks.md).
_server_side_binding = config(
    "DATABASE_SERVER_SIDE_BINDING",
    True,
    help="PostgreSQL: bind query parameters on the server (psycopg 3).",
)
_prepare_threshold = config(
    "DATABASE_PREPARE_THRESHOLD",
    2,
    help="PostgreSQL: prepare a statement after this many runs on one connection; 0 never "
    "(for a PgBouncer in transaction mode older than 1.21).",
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "server_side_binding": _server_side_binding,
            "prepare_threshold": _prepare_threshold or None,
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a background write commits.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
