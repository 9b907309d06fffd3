"""Record a bounce from one delivery status notification (a bounce email), read from stdin.

For SMTP deployments: the mail server hands every email that arrives at the sender address
(DEFAULT_FROM_EMAIL, where bounces go) to this command, for example with a Postfix alias

    noreply: "|/srv/weerbaar/bin/manage process_bounce"

(a wrapper that sets the environment of the application). See core.bounces and
docs/decisions/0013-bounces.md.

Exit status, as a mail server reads it: 0 when the email was handled, which includes every
email that is not a usable report (a reply, a delay notice, garbage): it is dropped with a
line on stderr, since refusing it would only send a bounce about a bounce. 75 (EX_TEMPFAIL)
when the database cannot be reached: the mail server keeps the email and tries again later.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from weerbaar.core import bounces

logger = logging.getLogger(__name__)

EX_TEMPFAIL = 75  # sysexits.h: "try again later", which Postfix and Exim honour
# A report is a few kilobytes; the returned message, if any, comes after the status part,
# so what is cut off beyond this is not needed.
MAX_BYTES = 10 * 1024 * 1024


class Command(BaseCommand):
    help = "Record a bounce from one delivery status notification email (stdin or a file)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?", default="-", help="File with the raw email; - (default): stdin."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        raw = self._read(options["path"])
        try:
            failures = bounces.read_dsn(raw)
        except bounces.UnusableReport as why:
            logger.info("bounce email ignored: %s", why)
            self.stderr.write(f"ignored: {why}")
            return
        delivery_id = failures[0].delivery_id
        try:
            recorded = bounces.record_dsn(failures)
        except DatabaseError as error:
            logger.warning("bounce of delivery %s not recorded, database: %s", delivery_id, error)
            self.stderr.write(f"database unavailable, try again later: {error}")
            sys.exit(EX_TEMPFAIL)
        if recorded:
            self.stdout.write(f"bounce recorded for delivery {delivery_id}")
        else:
            self.stderr.write(
                f"ignored: delivery {delivery_id} is unknown, not a sent email, already "
                "bounced, or went to another address"
            )

    def _read(self, path: str) -> bytes:
        if path == "-":
            return sys.stdin.buffer.read(MAX_BYTES)
        try:
            with Path(path).open("rb") as file:
                return file.read(MAX_BYTES)
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
