from __future__ import annotations

from django.urls import path

from zhixing.orgs import views
from zhixing.orgs.views import accounts, xlsx

urlpatterns = [
    path("orgs/", views.org_tree, name="org_tree"),
    path("orgs/new", views.org_create, name="org_create"),
    path("orgs/<int:pk>/", views.org_detail, name="org_detail"),
    path("orgs/<int:pk>/children", views.org_children, name="org_children"),
    path("orgs/<int:pk>/edit", views.org_edit, name="org_edit"),
    path("people/", views.person_list, name="person_list"),
    path("people/new", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit", views.person_edit, name="person_edit"),
    path("people/<int:pk>/posts/add", views.post_add, name="post_add"),
    path("posts/<int:pk>/end", views.post_end, name="post_end"),
    # 账号与授权
    path("accounts/", accounts.accounts, name="accounts"),
    path("accounts/grant", accounts.grant_create, name="grant_create"),
    path("accounts/grants/<int:pk>/revoke", accounts.grant_revoke, name="grant_revoke"),
    # Excel import and export (zhixing/orgs/views/xlsx.py)
    path("io/", xlsx.io_home, name="io_home"),
    path("io/upload/", xlsx.io_upload, name="io_upload"),
    path("io/preview/<str:token>/", xlsx.io_preview, name="io_preview"),
    path("io/confirm/<str:token>/", xlsx.io_confirm, name="io_confirm"),
    path("io/cancel/<str:token>/", xlsx.io_cancel, name="io_cancel"),
    path("io/template/<str:kind>.xlsx", xlsx.io_template, name="io_template"),
    path("people/export.xlsx", xlsx.people_export, name="people_export"),
    path("orgs/export.xlsx", xlsx.orgs_export, name="orgs_export"),
]
