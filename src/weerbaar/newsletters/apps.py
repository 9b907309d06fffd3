from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewslettersConfig(AppConfig):
    name = "weerbaar.newsletters"
    verbose_name = _("Newsletters")

    def ready(self) -> None:
        # Registers the built-in block types (text, links, figures).
        from weerbaar.newsletters import blocks  # noqa: F401
