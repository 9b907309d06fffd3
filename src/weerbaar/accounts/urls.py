from django.contrib.auth import views as auth_views
from django.urls import path

app_name = "accounts"

# The login flows (password + TOTP for staff, magic link for entrepreneurs) are built on
# these names; see accounts/views.py.
urlpatterns = [
    path("inloggen/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
]
