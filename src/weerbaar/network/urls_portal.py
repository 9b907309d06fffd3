from django.urls import path

from weerbaar.network import views_portal

app_name = "portal"

urlpatterns = [
    path("", views_portal.DashboardView.as_view(), name="dashboard"),
    path("gegevens/", views_portal.ProfileView.as_view(), name="profile"),
    path("bedrijf/<int:pk>/", views_portal.BusinessEditView.as_view(), name="business_edit"),
    path("toestemmingen/", views_portal.ConsentsView.as_view(), name="consents"),
    path("ambassadeur/", views_portal.AmbassadorAreaView.as_view(), name="ambassador_area"),
]
