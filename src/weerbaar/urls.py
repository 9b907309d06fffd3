from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from weerbaar.conf.includes.email import sends_through_provider

urlpatterns = [
    path("", include("weerbaar.core.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("account/", include("weerbaar.accounts.urls")),
    path("oidc/", include("weerbaar.contrib.oidc.urls")),
    path("", include("weerbaar.contrib.webpush.urls")),
    path("beheer/netwerk/import/", include("weerbaar.network.urls_import")),
    path("beheer/netwerk/", include("weerbaar.network.urls_staff")),
    path("beheer/meldingen/", include("weerbaar.reports.urls_staff")),
    path("mijn/meldingen/", include("weerbaar.reports.urls_portal")),
    path("beheer/waarschuwingen/", include("weerbaar.alerts.urls_staff")),
    path("mijn/", include("weerbaar.alerts.urls_portal")),
    path("afmelden/", include("weerbaar.alerts.urls_public")),
    path("beheer/nieuwsbrieven/", include("weerbaar.newsletters.urls_staff")),
    path("nieuwsbrief/", include("weerbaar.newsletters.urls_public")),
    path("mijn/", include("weerbaar.network.urls_portal")),
    path("meldingen/", include("weerbaar.reports.urls_public")),
    path("gemeente/<slug:slug>/meldingen-in-cijfers/", include("weerbaar.insights.urls")),
    path("gemeente/", include("weerbaar.network.urls_public")),
    path("api/v1/", include("weerbaar.network.api.urls")),
    path("api/v1/", include("weerbaar.reports.api.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
    path("django-admin/", admin.site.urls),
]

if sends_through_provider(settings.MAILERS):
    # The email provider's tracking webhooks, which report bounces (core.bounces).
    urlpatterns.append(path("anymail/", include("anymail.urls")))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "weerbaar.core.views.bad_request"
handler403 = "weerbaar.core.views.permission_denied"
handler404 = "weerbaar.core.views.page_not_found"
handler500 = "weerbaar.core.views.server_error"
