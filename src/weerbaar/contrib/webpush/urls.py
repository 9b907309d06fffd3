"""Mounted at the site root (weerbaar.urls): the service worker must live at /sw.js for its
scope to cover every page."""

from django.urls import path

from weerbaar.contrib.webpush import views

app_name = "webpush"

urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("mijn/pushmeldingen/aan/", views.SubscribeView.as_view(), name="subscribe"),
    path("mijn/pushmeldingen/uit/", views.UnsubscribeView.as_view(), name="unsubscribe"),
]
