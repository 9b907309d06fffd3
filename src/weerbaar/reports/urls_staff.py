from django.urls import path

from weerbaar.reports import views_staff, views_staff_intake

app_name = "reports_staff"

urlpatterns = [
    path("", views_staff.QueueView.as_view(), name="queue"),
    path("nieuw/", views_staff_intake.OnBehalfFormView.as_view(), name="new"),
    path("<str:reference>/", views_staff.ReportDetailView.as_view(), name="detail"),
    path("<str:reference>/status/", views_staff.TransitionView.as_view(), name="transition"),
    path("<str:reference>/bericht/", views_staff.MessageView.as_view(), name="message"),
    path("<str:reference>/notitie/", views_staff.NoteView.as_view(), name="note"),
    path("<str:reference>/toewijzen/", views_staff.AssignView.as_view(), name="assign"),
    path("<str:reference>/doorsturen/", views_staff.ForwardView.as_view(), name="forward"),
    path(
        "<str:reference>/bijlagen/<int:pk>/",
        views_staff.AttachmentDownloadView.as_view(),
        name="attachment",
    ),
]
