"""Learning-module pages, included at /modules/ (namespace "modules")."""

from __future__ import annotations

from django.urls import path

from zhixing.directives import views_modules as views

app_name = "modules"

urlpatterns = [
    path("", views.module_index, name="index"),
    path("new/<int:org_pk>/", views.module_create, name="create"),
    path("<int:pk>/", views.module_detail, name="detail"),
    path("<int:pk>/settings/", views.module_settings, name="settings"),
    path("<int:pk>/add/", views.module_add, name="add"),
    path("entries/<int:pk>/confirm/", views.entry_confirm, name="confirm"),
    path("entries/<int:pk>/reject/", views.entry_reject, name="reject"),
    path("fields/", views.field_list, name="fields"),
    path("fields/<int:pk>/", views.field_edit, name="field_edit"),
]
