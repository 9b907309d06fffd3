from django.urls import path

from weerbaar.newsletters import views_public

app_name = "newsletters_public"

urlpatterns = [
    path("<uuid:public_id>/", views_public.WebVersionView.as_view(), name="web_version"),
]
