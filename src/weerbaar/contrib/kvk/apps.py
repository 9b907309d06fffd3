from django.apps import AppConfig


class KvKConfig(AppConfig):
    name = "weerbaar.contrib.kvk"
    label = "contrib_kvk"
