"""Proof helpers for the anonymity promises: search every table and the captured logs."""

from __future__ import annotations

from typing import Any

from django.db import connection


def database_rows_containing(needle: str) -> list[tuple[str, str]]:
    """(table, row text) for every row of every table whose text contains `needle`.

    Reads each table whole and compares in Python, so it works the same on SQLite and
    PostgreSQL and misses no column type (JSON, text, varchar, binary as text).
    """
    hits: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(_as_text(value) for value in row)
                if needle.lower() in text.lower():
                    hits.append((table, text[:300]))
    return hits


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


def assert_nowhere_in_database(*needles: str) -> None:
    for needle in needles:
        hits = database_rows_containing(needle)
        assert not hits, f"{needle!r} found in the database: {hits}"
