app_name = "oidc"

urlpatterns: list = []
