"""Pages of 督办/催办 and 专班, mounted under /ledger/ (their paths did not change when they left the ledger app)."""

from __future__ import annotations

from django.urls import path

from zhixing.supervision import views

app_name = "supervision"

urlpatterns = [
    # 督办/催办
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/answer/", views.notice_answer, name="notice_answer"),
    path("notice-evidence/<int:pk>/", views.notice_evidence, name="notice_evidence"),
    path("tasks/<int:pk>/notices/new/", views.notice_new, name="notice_new"),
    path("tasks/<int:pk>/urge/", views.task_urge, name="task_urge"),
    # 专班
    path("<int:pk>/taskforces/new/", views.task_force_new, name="task_force_new"),
    path("taskforces/<int:pk>/", views.task_force_detail, name="task_force_detail"),
    path("taskforces/<int:pk>/edit/", views.task_force_edit, name="task_force_edit"),
    path("taskforces/<int:pk>/dissolve/", views.task_force_dissolve, name="task_force_dissolve"),
]
