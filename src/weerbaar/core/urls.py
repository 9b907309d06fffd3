from django.urls import path

from weerbaar.core import views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("beheer/", views.BackOfficeHomeView.as_view(), name="back_office"),
    path("beheer/audit/", views.AuditLogView.as_view(), name="audit_log"),
    path("gezondheid/", views.health, name="health"),
]
