from __future__ import annotations

from django.urls import path

from zhixing.directives import views, views_activity_form

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
        views_activity_form.activity_form_section,
        name="activity_form_section",
    ),
    path("<int:pk>/", views.directive_detail, name="directive_detail"),
    path("<int:pk>/edit/", views.directive_edit, name="directive_edit"),
    path("<int:pk>/board/", views.board, name="board"),
    path("<int:pk>/urge/", views.urge, name="urge"),
]
