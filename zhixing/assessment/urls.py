from __future__ import annotations

from django.urls import path

from zhixing.assessment import views
from zhixing.assessment.views import schemes

app_name = "assessment"

urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/compute/", views.round_compute, name="round_compute"),
    path("rounds/<int:pk>/job", views.round_job, name="round_job"),
    path("rounds/<int:pk>/finalise/", views.round_finalise, name="round_finalise"),
    path("rounds/<int:pk>/window/", views.round_window, name="round_window"),
    path("schemes/", schemes.scheme_list, name="scheme_list"),
    path("schemes/new/", schemes.scheme_create, name="scheme_create"),
    path("schemes/<int:pk>/", schemes.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", schemes.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/weights/", schemes.scheme_weights, name="scheme_weights"),
    path("schemes/<int:pk>/activate/", schemes.scheme_activate, name="scheme_activate"),
    path("schemes/<int:pk>/indicators/new/", schemes.indicator_add, name="indicator_add"),
    path("schemes/<int:pk>/rounds/new/", schemes.round_create, name="round_create"),
    path("indicators/<int:pk>/edit/", schemes.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/delete/", schemes.indicator_delete, name="indicator_delete"),
    path("scores/<int:pk>/", views.score_detail, name="score_detail"),
    path("scores/<int:pk>/deductions/", views.deduction_add, name="deduction_add"),
    path("scores/<int:pk>/objections/", views.objection_add, name="objection_add"),
    path("items/<int:pk>/records/", views.item_records, name="item_records"),
    path("items/<int:pk>/score/", views.item_score, name="item_score"),
    path("items/<int:pk>/correct/", views.item_correct, name="item_correct"),
    path("deductions/<int:pk>/delete/", views.deduction_delete, name="deduction_delete"),
    path("scores/<int:pk>/deductions/correct/", views.deduction_correct, name="deduction_correct"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
]
