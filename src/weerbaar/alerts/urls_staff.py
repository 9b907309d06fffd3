from django.urls import path

from weerbaar.alerts import views_staff

app_name = "alerts_staff"

urlpatterns = [
    path("", views_staff.AlertListView.as_view(), name="list"),
    path("nieuw/", views_staff.AlertFormView.as_view(), name="create"),
    path("instellingen/", views_staff.AlertSettingsView.as_view(), name="settings"),
    path("<int:pk>/", views_staff.AlertDetailView.as_view(), name="detail"),
    path("<int:pk>/wijzigen/", views_staff.AlertFormView.as_view(), name="edit"),
    path("<int:pk>/versturen/", views_staff.SendView.as_view(), name="send"),
    path("<int:pk>/goedkeuren/", views_staff.ApproveView.as_view(), name="approve"),
    path("<int:pk>/terugsturen/", views_staff.SendBackView.as_view(), name="send_back"),
    path("<int:pk>/intrekken/", views_staff.WithdrawView.as_view(), name="withdraw"),
    path("<int:pk>/update/", views_staff.UpdateView.as_view(), name="update"),
    path("<int:pk>/opnieuw-versturen/", views_staff.RetryView.as_view(), name="retry"),
]
