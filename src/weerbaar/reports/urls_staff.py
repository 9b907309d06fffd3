from django.urls import path

from weerbaar.reports import views_staff, views_staff_config, views_staff_intake

app_name = "reports_staff"

urlpatterns = [
    path("", views_staff.QueueView.as_view(), name="queue"),
    path("nieuw/", views_staff_intake.OnBehalfFormView.as_view(), name="new"),
    # The configuration (before "<reference>/", which would take "instellingen/").
    path("instellingen/routering/", views_staff_config.RuleListView.as_view(), name="rule_list"),
    path(
        "instellingen/routering/testen/",
        views_staff_config.RouteTestView.as_view(),
        name="rule_test",
    ),
    path(
        "instellingen/routering/nieuw/",
        views_staff_config.RuleCreateView.as_view(),
        name="rule_create",
    ),
    path(
        "instellingen/routering/volgorde/",
        views_staff_config.RuleReorderView.as_view(),
        name="rule_reorder",
    ),
    path(
        "instellingen/routering/<int:pk>/wijzigen/",
        views_staff_config.RuleEditView.as_view(),
        name="rule_edit",
    ),
    path(
        "instellingen/routering/<int:pk>/verwijderen/",
        views_staff_config.RuleDeleteView.as_view(),
        name="rule_delete",
    ),
    path(
        "instellingen/categorieen/",
        views_staff_config.CategoryListView.as_view(),
        name="category_list",
    ),
    path(
        "instellingen/categorieen/nieuw/",
        views_staff_config.CategoryCreateView.as_view(),
        name="category_create",
    ),
    path(
        "instellingen/categorieen/<int:pk>/wijzigen/",
        views_staff_config.CategoryEditView.as_view(),
        name="category_edit",
    ),
    path(
        "instellingen/gemeenten/",
        views_staff_config.SettingsListView.as_view(),
        name="settings_list",
    ),
    path(
        "instellingen/gemeenten/<int:pk>/wijzigen/",
        views_staff_config.SettingsEditView.as_view(),
        name="settings_edit",
    ),
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
