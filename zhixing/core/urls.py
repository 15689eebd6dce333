from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from zhixing.core import calendar_views, twofactor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChange.as_view(), name="password_change"),
    path("account/2fa/setup", twofactor.otp_setup, name="otp_setup"),
    path("account/2fa/verify", twofactor.otp_verify, name="otp_verify"),
    path("session/keepalive", views.session_keepalive, name="session_keepalive"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/open", views.notification_open, name="notification_open"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/<int:pk>/reveal", views.audit_reveal, name="audit_reveal"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/holidays/", calendar_views.holiday_save, name="holiday_save"),
    path("calendar/holidays/<int:pk>/edit", calendar_views.holiday_edit, name="holiday_edit"),
    path("calendar/holidays/<int:pk>/delete", calendar_views.holiday_delete, name="holiday_delete"),
    path("calendar/<int:year>/status", calendar_views.holiday_year_status, name="holiday_year_status"),
    path("calendar/import", calendar_views.holiday_import, name="holiday_import"),
    path("calendar/template.xlsx", calendar_views.holiday_template, name="holiday_template"),
    path("calendar/export.xlsx", calendar_views.holiday_export, name="holiday_export"),
]
