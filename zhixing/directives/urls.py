from __future__ import annotations

from django.urls import path

from zhixing.directives import views
from zhixing.directives.views import activity_form, modules

app_name = "directives"

urlpatterns = [
    path("", views.directive_list, name="directive_list"),
    path("new/", views.directive_create, name="directive_create"),
    path("to-study/", views.to_study, name="to_study"),
    path("first-topic/", views.first_topic, name="first_topic"),
    path("leaders/", views.leaders, name="leaders"),
    path("link/<int:activity_pk>/", views.link, name="link"),
    path(
        "activity-form/<int:org_pk>/studied/",
        activity_form.activity_form_section,
        name="activity_form_section",
    ),
    path("<int:pk>/", views.directive_detail, name="directive_detail"),
    path("<int:pk>/edit/", views.directive_edit, name="directive_edit"),
    path("<int:pk>/board/", views.board, name="board"),
    path("<int:pk>/urge/", views.urge, name="urge"),
]

# The learning modules, included at /modules/ under their own namespace ("modules:detail", ...).
module_urlpatterns = (
    [
        path("", modules.module_index, name="index"),
        path("new/<int:org_pk>/", modules.module_create, name="create"),
        path("<int:pk>/", modules.module_detail, name="detail"),
        path("<int:pk>/settings/", modules.module_settings, name="settings"),
        path("<int:pk>/add/", modules.module_add, name="add"),
        path("entries/<int:pk>/confirm/", modules.entry_confirm, name="confirm"),
        path("entries/<int:pk>/reject/", modules.entry_reject, name="reject"),
        path("fields/", modules.field_list, name="fields"),
        path("fields/<int:pk>/", modules.field_edit, name="field_edit"),
    ],
    "modules",
)
