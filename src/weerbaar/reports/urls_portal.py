from django.urls import path

from weerbaar.reports import views_portal

app_name = "reports_portal"

urlpatterns = [
    path("", views_portal.MyReportsView.as_view(), name="list"),
    path("nieuw/", views_portal.PortalReportFormView.as_view(), name="new"),
    path("<str:reference>/", views_portal.MyReportView.as_view(), name="detail"),
]
