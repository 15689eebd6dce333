from __future__ import annotations

from django.urls import path

from zhixing.orgs import views_accounts

urlpatterns = [
    # 账号与授权
    path("accounts/", views_accounts.accounts, name="accounts"),
    path("accounts/grant", views_accounts.grant_create, name="grant_create"),
    path("accounts/grants/<int:pk>/revoke", views_accounts.grant_revoke, name="grant_revoke"),
]
