from django.apps import AppConfig


class OidcConfig(AppConfig):
    name = "weerbaar.contrib.oidc"
    label = "contrib_oidc"
