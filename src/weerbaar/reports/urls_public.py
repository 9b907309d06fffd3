from django.urls import path

from weerbaar.reports import views_address, views_public

app_name = "reports_public"

urlpatterns = [
    path("", views_public.StartView.as_view(), name="start"),
    path("volgen/", views_public.FollowView.as_view(), name="follow"),
    path("volgen/melding/", views_public.FollowedReportView.as_view(), name="follow_report"),
    path("volgen/stoppen/", views_public.StopFollowingView.as_view(), name="stop_following"),
    path("link/<str:token>/", views_public.LinkedReportView.as_view(), name="follow_link"),
    path("adres-zoeken/", views_address.AddressSearchView.as_view(), name="address_search"),
    path("<slug:municipality>/", views_public.ReportFormView.as_view(), name="new"),
]
