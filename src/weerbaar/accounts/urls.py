from django.urls import path

from weerbaar.accounts import views

app_name = "accounts"

urlpatterns = [
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("inloggen/link/", views.MagicLinkRequestView.as_view(), name="magic_link_request"),
    # Before the token pattern, which would otherwise match "bevestigen".
    path(
        "inloggen/link/bevestigen/",
        views.MagicLinkConfirmView.as_view(),
        name="magic_link_confirm",
    ),
    path("inloggen/link/<str:token>/", views.MagicLinkView.as_view(), name="magic_link"),
    path("inloggen/code/", views.SecondFactorView.as_view(), name="second_factor"),
    path(
        "inloggen/code/instellen/",
        views.SecondFactorSetupView.as_view(),
        name="second_factor_setup",
    ),
    path("uitloggen/", views.LogoutView.as_view(), name="logout"),
]
