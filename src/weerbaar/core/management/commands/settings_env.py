"""Print every environment variable the settings read, as Markdown (docs/configuration.md).

python manage.py settings_env --all --document > docs/configuration.md
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from weerbaar.conf.environ import REGISTRY, EnvVar

# Settings modules that read some variables only in one configuration: the production
# column, and the SMTP options that exist only when EMAIL_BACKEND is the SMTP backend.
# Their config() calls are read from the source, so nothing is executed for the listing.
CONDITIONAL_MODULES = ["weerbaar.conf.production", "weerbaar.conf.includes.email"]

INTRO = """\
# Configuration

Weerbaar reads its settings from environment variables. Every variable is declared with
`weerbaar.conf.environ.config()` together with its default and a help text; this page is
generated from those declarations:

    python manage.py settings_env --all --document > docs/configuration.md

Booleans accept `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`); lists are
comma-separated. `<repository>` stands for the folder this code was checked out in.

Some variables are read only in one configuration. The production settings
(`DJANGO_SETTINGS_MODULE=weerbaar.conf.production`) read `SECURE_SSL_REDIRECT`,
`SECURE_HSTS_SECONDS` and `CACHE_URL`, send email through SMTP by default and default
`CELERY_TASK_ALWAYS_EAGER` to false. The SMTP options (`EMAIL_HOST`, `EMAIL_PORT`,
`EMAIL_HOST_USER`, `EMAIL_HOST_PASSWORD`, `EMAIL_USE_TLS`, `EMAIL_TIMEOUT`) are read only
when `EMAIL_BACKEND` is the SMTP backend.

"""


class Command(BaseCommand):
    help = "Print the environment variables the settings read, as a Markdown table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Also list variables read only by the production settings or the SMTP backend.",
        )
        parser.add_argument(
            "--document",
            action="store_true",
            help="Print a whole Markdown page (title and introduction) around the table.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        variables = dict(REGISTRY)
        if options["all"]:
            for module in CONDITIONAL_MODULES:
                for name, var in declared_in(module).items():
                    variables.setdefault(name, var)
        if options["document"]:
            self.stdout.write(INTRO)
        self.stdout.write(markdown_table(variables.values()), ending="")


def markdown_table(variables: Any) -> str:
    lines = ["| Variable | Default | Description |", "|---|---|---|"]
    for var in sorted(variables, key=lambda v: v.name):
        lines.append(f"| `{var.name}` | {_format_default(var)} | {_escape(var.help)} |")
    return "\n".join(lines) + "\n"


def _format_default(var: EnvVar) -> str:
    value = var.default
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list | tuple):
        text = ",".join(str(item) for item in value)
    else:
        text = str(value)
    # Defaults under the checkout are machine-specific; show them relative to it.
    text = text.replace(str(settings.PROJECT_DIR), "<repository>")
    return f"`{_escape(text)}`" if text else "(empty)"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def declared_in(module: str) -> dict[str, EnvVar]:
    """The variables a settings module declares with literal config("NAME", default, help=...)
    calls. A default that names another setting is shown with that setting's value."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise CommandError(f"No settings module {module}.")
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    found: dict[str, EnvVar] = {}
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "config"
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Constant)
        ):
            continue
        help_text = next((k.value for k in node.keywords if k.arg == "help"), None)
        if not isinstance(help_text, ast.Constant):
            continue
        name = str(node.args[0].value)
        found[name] = EnvVar(name, _literal(node.args[1]), str(help_text.value))
    return found


def _literal(node: ast.expr) -> Any:
    if isinstance(node, ast.Name):
        return getattr(settings, node.id, node.id)
    try:
        return ast.literal_eval(node)
    except ValueError:
        return ast.unparse(node)
