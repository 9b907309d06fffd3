"""Languages: Dutch first, English available."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [str(Path(__file__).resolve().parents[2] / "locale")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "weerbaar_language"
LANGUAGE_COOKIE_SECURE = False
