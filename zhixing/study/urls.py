from __future__ import annotations

from django.urls import path

from zhixing.study import views
from zhixing.study.views import compliance, plans, printing, reports

app_name = "study"

urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("new/", views.activity_create, name="activity_create"),
    path("<int:pk>/", views.activity_detail, name="activity_detail"),
    path("<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("<int:pk>/attendance/", views.attendance_edit, name="attendance_edit"),
    path("<int:pk>/guests/", views.guest_add, name="guest_add"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("sign-in/<str:token>/", views.sign_in, name="sign_in"),
    path("norms/", views.norm_list, name="norm_list"),
    path("norms/<int:pk>/", views.norm_edit, name="norm_edit"),
    # plans, references, 必学内容 coverage, 列席旁听 and 五方同步学 (views/plans.py)
    path("plans/", plans.plan_index, name="plan_index"),
    path("plans/new/", plans.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("arrangements/<int:org_id>/<str:month>/", plans.arrangement, name="arrangement"),
    path("references/new/", plans.reference_create, name="reference_create"),
    path("references/<int:pk>/", plans.reference_detail, name="reference_detail"),
    path("references/<int:pk>/edit/", plans.reference_edit, name="reference_edit"),
    path("<int:pk>/required/", plans.activity_required, name="activity_required"),
    path("coverage/", plans.coverage, name="coverage"),
    path("observation/", plans.observation_page, name="observation"),
    path("five-ways/", plans.five_ways_page, name="five_ways"),
    path("five-ways/data/", plans.five_ways_data, name="five_ways_data"),
    # the half-year 通报 (views/reports.py)
    path("reports/", reports.report_index, name="report_index"),
    path("reports/tongbao/", reports.tongbao_download, name="tongbao_download"),
    # compliance matrix, attendance rates, 我的学习 (views/compliance.py)
    path("compliance/", compliance.compliance_matrix, name="compliance"),
    path("compliance/cell/", compliance.compliance_cell, name="compliance_cell"),
    path("compliance/export.xlsx", compliance.compliance_export, name="compliance_export"),
    path("attendance-rates/", compliance.attendance_rate_list, name="attendance_rates"),
    path("me/", compliance.my_study, name="my_study"),
    # print views, the A4 sign-in sheet and the projector QR (views/printing.py)
    path("<int:pk>/print/", printing.activity_print, name="activity_print"),
    path("<int:pk>/sign-in-sheet/", printing.sign_in_sheet, name="sign_in_sheet"),
    path("<int:pk>/sign-in-screen/", printing.sign_in_screen, name="sign_in_screen"),
    path("compliance/print/", printing.compliance_print, name="compliance_print"),
]
