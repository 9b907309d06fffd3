from django.urls import path

from weerbaar.alerts import views_public

app_name = "alerts_public"

urlpatterns = [
    path("<str:token>/", views_public.UnsubscribeView.as_view(), name="unsubscribe"),
]
