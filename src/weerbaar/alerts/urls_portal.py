from django.urls import path

from weerbaar.alerts import views_portal

app_name = "alerts_portal"

urlpatterns = [
    path("berichten/", views_portal.InboxView.as_view(), name="inbox"),
    path("berichten/<int:pk>/", views_portal.InboxMessageView.as_view(), name="message"),
    path("waarschuwingen/<int:pk>/", views_portal.AlertDetailView.as_view(), name="detail"),
    path(
        "waarschuwingen/nieuw/", views_portal.AmbassadorAlertView.as_view(), name="ambassador_new"
    ),
    path("berichtinstellingen/", views_portal.PreferencesView.as_view(), name="preferences"),
]
