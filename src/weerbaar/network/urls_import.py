"""Back office: importing businesses from a CSV file and looking them up in the KvK register.
Mounted at beheer/netwerk/import/."""

from django.urls import path

from weerbaar.network import views_import

app_name = "staff_import"

urlpatterns = [
    path("", views_import.ImportUploadView.as_view(), name="upload"),
    path("voorbeeld.csv", views_import.SampleCsvView.as_view(), name="sample"),
    path("kvk/", views_import.KvKLookupView.as_view(), name="kvk_lookup"),
    path("<int:pk>/", views_import.ImportPreviewView.as_view(), name="preview"),
    path("<int:pk>/bevestigen/", views_import.ImportConfirmView.as_view(), name="confirm"),
    path("<int:pk>/verwerpen/", views_import.ImportDiscardView.as_view(), name="discard"),
]
