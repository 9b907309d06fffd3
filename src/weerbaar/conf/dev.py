"""Embedded default (`make demo`): SQLite, eager Celery, console email, demo conveniences."""

import os

os.environ.setdefault("DEBUG", "true")

from weerbaar.conf.base import *

# Printed demo accounts may skip the second factor; only this module allows that.
ALLOW_SECOND_FACTOR_EXEMPTION = True
# The demo has no mailbox: show the login link on the page as well.
SHOW_MAGIC_LINK_ON_PAGE = True
