"""Database: SQLite by default (embedded column), PostgreSQL via DATABASE_URL."""

import dj_database_url

from weerbaar.conf.environ import config

_default_sqlite = "sqlite:///var/weerbaar.sqlite3"

DATABASE_URL = config(
    "DATABASE_URL",
    _default_sqlite,
    help="Database URL. Default: SQLite file var/weerbaar.sqlite3 in the working directory. "
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a background write commits.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
