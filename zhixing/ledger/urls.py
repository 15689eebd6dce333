from __future__ import annotations

from django.urls import path

from zhixing.ledger import views, views_io, views_review, views_supervision

app_name = "ledger"

urlpatterns = [
    path("", views.ledger_list, name="ledger_list"),
    path("new/", views.ledger_create, name="ledger_create"),
    path("mine/", views.my_tasks, name="my_tasks"),
    path("<int:pk>/", views.ledger_detail, name="ledger_detail"),
    path("<int:pk>/edit/", views.ledger_edit, name="ledger_edit"),
    path("<int:pk>/goals/new/", views.goal_add, name="goal_add"),
    path("<int:pk>/tasks/new/", views.task_add, name="task_add"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/report", views.task_report, name="task_report"),
    path("tasks/<int:pk>/terminate/", views.task_terminate, name="task_terminate"),
    path("tasks/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("tasks/<int:pk>/close/", views.closure_request, name="closure_request"),
    path("closures/<int:pk>/", views.closure_decide, name="closure_decide"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    # xlsx
    path("<int:pk>/export.xlsx", views_io.ledger_export, name="ledger_export"),
    path("import/", views_io.ledger_import, name="ledger_import"),
    path("import/confirm/", views_io.ledger_import_confirm, name="ledger_import_confirm"),
    # 督办/催办
    path("notices/", views_supervision.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views_supervision.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/answer/", views_supervision.notice_answer, name="notice_answer"),
    path("notice-evidence/<int:pk>/", views_supervision.notice_evidence, name="notice_evidence"),
    path("tasks/<int:pk>/notices/new/", views_supervision.notice_new, name="notice_new"),
    path("tasks/<int:pk>/urge/", views_supervision.task_urge, name="task_urge"),
    # 专班
    path("<int:pk>/taskforces/new/", views_supervision.task_force_new, name="task_force_new"),
    path("taskforces/<int:pk>/", views_supervision.task_force_detail, name="task_force_detail"),
    path("taskforces/<int:pk>/edit/", views_supervision.task_force_edit, name="task_force_edit"),
    path("taskforces/<int:pk>/dissolve/", views_supervision.task_force_dissolve, name="task_force_dissolve"),
    # milestones and goals
    path("milestones/<int:pk>/done/", views_supervision.milestone_done, name="milestone_done"),
    path("milestones/<int:pk>/edit/", views_supervision.milestone_edit, name="milestone_edit"),
    path("goals/<int:pk>/edit/", views_supervision.goal_edit, name="goal_edit"),
    # 回头看
    path("reviews/", views_review.review_list, name="review_list"),
    path("reviews/new/", views_review.review_new, name="review_new"),
    path("reviews/<int:pk>/", views_review.review_detail, name="review_detail"),
    path("reviews/<int:pk>/tasks/<int:task_pk>/", views_review.finding_record, name="finding_record"),
    path("reviews/<int:pk>/close/", views_review.review_close, name="review_close"),
]

# 晾晒 board (views_board)
from zhixing.ledger import views_board  # noqa: E402

urlpatterns += [
    path("board/", views_board.board, name="board"),
    path("board/export.xlsx", views_board.board_export, name="board_export"),
    path("board/publish/", views_board.board_publish, name="board_publish"),
]
