from __future__ import annotations

from django.urls import path

from zhixing.orgs import views_io

urlpatterns: list = []

# --- Excel import and export (zhixing/orgs/views_io.py) -------------------------------------------
urlpatterns += [
    path("io/", views_io.io_home, name="io_home"),
    path("io/upload/", views_io.io_upload, name="io_upload"),
    path("io/preview/<str:token>/", views_io.io_preview, name="io_preview"),
    path("io/confirm/<str:token>/", views_io.io_confirm, name="io_confirm"),
    path("io/cancel/<str:token>/", views_io.io_cancel, name="io_cancel"),
    path("io/template/<str:kind>.xlsx", views_io.io_template, name="io_template"),
    path("people/export.xlsx", views_io.people_export, name="people_export"),
    path("orgs/export.xlsx", views_io.orgs_export, name="orgs_export"),
]
