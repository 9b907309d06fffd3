from django.urls import path

from weerbaar.contrib.oidc import views

app_name = "oidc"

urlpatterns = [
    path("<slug:provider>/login/", views.OidcLoginView.as_view(), name="login"),
    path("<slug:provider>/callback/", views.OidcCallbackView.as_view(), name="callback"),
]
