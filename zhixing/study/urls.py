from __future__ import annotations

from django.urls import path

from zhixing.study import views

app_name = "study"

urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("new/", views.activity_create, name="activity_create"),
    path("<int:pk>/", views.activity_detail, name="activity_detail"),
    path("<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("<int:pk>/attendance/", views.attendance_edit, name="attendance_edit"),
    path("<int:pk>/guests/", views.guest_add, name="guest_add"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("sign-in/<str:token>/", views.sign_in, name="sign_in"),
    path("norms/", views.norm_list, name="norm_list"),
    path("norms/<int:pk>/", views.norm_edit, name="norm_edit"),
]

# --- Compliance matrix, attendance rates, 我的学习 (views_compliance.py) ---------------------------
from zhixing.study import views_compliance  # noqa: E402

urlpatterns += [
    path("compliance/", views_compliance.compliance_matrix, name="compliance"),
    path("compliance/cell/", views_compliance.compliance_cell, name="compliance_cell"),
    path("compliance/export.xlsx", views_compliance.compliance_export, name="compliance_export"),
    path("attendance-rates/", views_compliance.attendance_rate_list, name="attendance_rates"),
    path("me/", views_compliance.my_study, name="my_study"),
]
