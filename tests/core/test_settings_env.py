"""`manage.py settings_env`: the environment variables as a Markdown table."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from weerbaar.conf.environ import REGISTRY


def run(*args: str) -> str:
    out = StringIO()
    call_command("settings_env", *args, stdout=out)
    return out.getvalue()


def test_lists_every_registered_variable_with_default_and_help() -> None:
    output = run()

    assert output.startswith("| Variable | Default | Description |\n|---|---|---|\n")
    rows = output.strip().splitlines()[2:]
    assert len(rows) == len(REGISTRY)
    assert "| `DEBUG` | `false` | Django debug mode. Never true in production. |" in rows
    assert "| `KVK_API_KEY` | (empty) | KvK API key (header 'apikey'). |" in rows
    assert (
        "| `ALLOWED_HOSTS` | `127.0.0.1,localhost` | Comma-separated host names served. |" in rows
    )


def test_paths_under_the_checkout_are_shown_relative_to_it() -> None:
    output = run()

    assert "| `NODE_MODULES_DIR` | `<repository>/node_modules` |" in output


def test_all_adds_production_and_smtp_variables_without_changing_the_registry() -> None:
    before = dict(REGISTRY)

    output = run("--all", "--document")

    assert output.startswith("# Configuration\n")
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "CACHE_URL", "EMAIL_HOST"):
        assert f"| `{name}` |" in output
    assert "| `CACHE_URL` | `redis://127.0.0.1:6379/0` |" in output
    assert before == REGISTRY


def test_docs_configuration_is_up_to_date() -> None:
    from pathlib import Path

    from django.conf import settings

    committed = (Path(settings.PROJECT_DIR) / "docs" / "configuration.md").read_text()
    assert committed == run("--all", "--document"), (
        "docs/configuration.md is stale: python manage.py settings_env --all --document "
        "> docs/configuration.md"
    )
