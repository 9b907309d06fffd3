from django.urls import path

from weerbaar.newsletters import views_staff

app_name = "newsletters_staff"

urlpatterns = [
    path("", views_staff.NewsletterListView.as_view(), name="list"),
    path("nieuw/", views_staff.NewsletterFormView.as_view(), name="create"),
    path("doelgroepen/", views_staff.SegmentListView.as_view(), name="segments"),
    path("doelgroepen/nieuw/", views_staff.SegmentFormView.as_view(), name="segment_create"),
    path("doelgroepen/<int:pk>/", views_staff.SegmentFormView.as_view(), name="segment_edit"),
    path(
        "doelgroepen/<int:pk>/verwijderen/",
        views_staff.DeleteSegmentView.as_view(),
        name="segment_delete",
    ),
    path("<int:pk>/", views_staff.NewsletterDetailView.as_view(), name="detail"),
    path("<int:pk>/wijzigen/", views_staff.NewsletterFormView.as_view(), name="edit"),
    path("<int:pk>/voorbeeld/", views_staff.PreviewView.as_view(), name="preview"),
    path(
        "<int:pk>/blokken/nieuw/<slug:kind>/", views_staff.BlockFormView.as_view(), name="block_add"
    ),
    path(
        "<int:pk>/blokken/<int:block_pk>/", views_staff.BlockFormView.as_view(), name="block_edit"
    ),
    path(
        "<int:pk>/blokken/<int:block_pk>/verwijderen/",
        views_staff.RemoveBlockView.as_view(),
        name="block_remove",
    ),
    path(
        "<int:pk>/blokken/<int:block_pk>/omhoog/",
        views_staff.MoveBlockUpView.as_view(),
        name="block_up",
    ),
    path(
        "<int:pk>/blokken/<int:block_pk>/omlaag/",
        views_staff.MoveBlockDownView.as_view(),
        name="block_down",
    ),
    path("<int:pk>/test/", views_staff.TestSendView.as_view(), name="test"),
    path("<int:pk>/inplannen/", views_staff.ScheduleView.as_view(), name="schedule"),
    path("<int:pk>/niet-inplannen/", views_staff.UnscheduleView.as_view(), name="unschedule"),
    path("<int:pk>/versturen/", views_staff.SendView.as_view(), name="send"),
    path("<int:pk>/opnieuw-versturen/", views_staff.RetryView.as_view(), name="retry"),
]
