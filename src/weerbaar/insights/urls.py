"""Public insights pages, mounted under /gemeente/<slug>/meldingen-in-cijfers/."""

from django.urls import path

from weerbaar.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.TransparencyView.as_view(), name="transparency"),
]
