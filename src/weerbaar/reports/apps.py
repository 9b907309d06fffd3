from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "weerbaar.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from weerbaar.accounts.models import Organisation
        from weerbaar.network.models import Municipality
        from weerbaar.reports.config import configuration_changed
        from weerbaar.reports.models import (
            MunicipalityReportSettings,
            ReportCategory,
            RoutingRule,
        )

        watched = (
            ReportCategory,
            RoutingRule,
            MunicipalityReportSettings,
            Organisation,
            Municipality,
        )
        for model in watched:
            post_save.connect(configuration_changed, sender=model, dispatch_uid=f"cfg-save-{model}")
            post_delete.connect(
                configuration_changed, sender=model, dispatch_uid=f"cfg-delete-{model}"
            )
        # Data migrations write through historical models, which send no signals here.
        post_migrate.connect(configuration_changed, sender=self, dispatch_uid="cfg-migrate")
