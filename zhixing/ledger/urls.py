from __future__ import annotations

from django.urls import path

from zhixing.ledger import views
from zhixing.ledger.views import plan, xlsx

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
    path("closures/", views.closure_list, name="closure_list"),
    path("closures/<int:pk>/", views.closure_decide, name="closure_decide"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    # xlsx
    path("<int:pk>/export.xlsx", xlsx.ledger_export, name="ledger_export"),
    path("org/<int:pk>/export.xlsx", xlsx.department_export, name="department_export"),
    path("import/", xlsx.ledger_import, name="ledger_import"),
    path("import/confirm/", xlsx.ledger_import_confirm, name="ledger_import_confirm"),
    # milestones and goals
    path("milestones/<int:pk>/done/", plan.milestone_done, name="milestone_done"),
    path("milestones/<int:pk>/edit/", plan.milestone_edit, name="milestone_edit"),
    path("goals/<int:pk>/edit/", plan.goal_edit, name="goal_edit"),
]
