from django.urls import path

from weerbaar.network import views_public

app_name = "public"

urlpatterns = [
    path("<slug:slug>/", views_public.MunicipalityLandingView.as_view(), name="municipality"),
]
