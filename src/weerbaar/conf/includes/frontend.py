"""Static files: our own plus NL Design System CSS and htmx from node_modules (npm lock)."""

from pathlib import Path

from weerbaar.conf.environ import config

_PROJECT_DIR = Path(__file__).resolve().parents[4]
NODE_MODULES = Path(
    config(
        "NODE_MODULES_DIR",
        str(_PROJECT_DIR / "node_modules"),
        help="Where `npm ci` installed the front-end packages.",
    )
)

STATIC_URL = "/static/"
STATIC_ROOT = config(
    "STATIC_ROOT", str(_PROJECT_DIR / "static_collected"), help="collectstatic target."
)
STATICFILES_DIRS = [
    ("vendor/utrecht", str(NODE_MODULES / "@utrecht/component-library-css/dist")),
    (
        "vendor/voorbeeld-tokens",
        str(NODE_MODULES / "@nl-design-system-unstable/voorbeeld-design-tokens/dist"),
    ),
    ("vendor/htmx", str(NODE_MODULES / "htmx.org/dist")),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = config("MEDIA_ROOT", str(_PROJECT_DIR / "media"), help="Uploaded files folder.")
PRIVATE_MEDIA_ROOT = config(
    "PRIVATE_MEDIA_ROOT",
    str(_PROJECT_DIR / "var" / "private-media"),
    help="Files served only after a permission check (report attachments). Never let the web "
    "server expose this folder.",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
}

# A municipality can supply its own design tokens: Municipality.theme_stylesheet_url wins
# over this platform-wide default (a stylesheet defining the tokens on THEME_CLASS).
THEME_STYLESHEET = config(
    "THEME_STYLESHEET",
    "vendor/voorbeeld-tokens/theme.css",
    help="Static path or absolute URL of the platform's design-token stylesheet.",
)
THEME_CLASS = config(
    "THEME_CLASS", "voorbeeld-theme", help="CSS class that activates the design tokens."
)

FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
