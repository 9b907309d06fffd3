from django.urls import path

from weerbaar.reports.api import views

app_name = "reports_api"

urlpatterns = [
    path("meldingen/", views.ReportCollectionView.as_view(), name="report-list"),
    # The follow paths come before <reference>/: "volgen" is never a reference (those
    # start with M and a year), but the order makes that not matter.
    path("meldingen/volgen/", views.FollowView.as_view(), name="follow"),
    path("meldingen/volgen/bericht/", views.FollowMessageView.as_view(), name="follow-message"),
    path("meldingen/volgen/oordeel/", views.FollowVerdictView.as_view(), name="follow-verdict"),
    path("meldingen/volgen/heropenen/", views.FollowReopenView.as_view(), name="follow-reopen"),
    path("meldingen/<str:reference>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("meldingen/<str:reference>/status/", views.TransitionView.as_view(), name="report-status"),
    path("meldingen/<str:reference>/bericht/", views.MessageView.as_view(), name="report-message"),
    path("meldingen/<str:reference>/notitie/", views.NoteView.as_view(), name="report-note"),
    path("meldingen/<str:reference>/toewijzen/", views.AssignView.as_view(), name="report-assign"),
    path(
        "meldingen/<str:reference>/doorsturen/",
        views.ForwardView.as_view(),
        name="report-forward",
    ),
]
