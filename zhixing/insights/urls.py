"""URLs of the dashboards (/dashboard/), the 六好党员 evidence (/assessment/evidence/) and the reports
(/assessment/reports/); zhixing/urls.py includes the three, each with its
namespace (dashboard:, evidence:, reports:)."""

from __future__ import annotations

from django.urls import path, register_converter

from zhixing.insights import views as v
from zhixing.insights.views import reports


class LevelConverter:
    regex = "dept|branch|person"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LevelConverter, "level")

dashboard_patterns = (
    [
        path("", v.index, name="index"),
        path("me/", v.me, name="me"),
        path("committee/", v.committee, name="committee"),
        path("dept/<int:pk>/", v.dept, name="dept"),
        path("branch/<int:pk>/", v.branch, name="branch"),
        path("person/<int:pk>/", v.person, name="person"),
        path("committee/chart/<slug:name>.json", v.chart_json, {"level": "committee"}, name="committee_json"),
        path("committee/chart/<slug:name>.xlsx", v.chart_xlsx, {"level": "committee"}, name="committee_xlsx"),
        path("<level:level>/<int:pk>/chart/<slug:name>.json", v.chart_json, name="chart_json"),
        path("<level:level>/<int:pk>/chart/<slug:name>.xlsx", v.chart_xlsx, name="chart_xlsx"),
    ],
    "dashboard",
)

evidence_patterns = (
    [
        path("", v.evidence_index, name="index"),
        path("person/<int:pk>/", v.evidence_person, name="person"),
        path("branch/<int:pk>/", v.evidence_branch, name="branch"),
        path("branch/<int:pk>/xlsx/", v.evidence_branch_xlsx, name="branch_xlsx"),
    ],
    "evidence",
)

report_patterns = (
    [
        path("", reports.index, name="index"),
        path("dept/<int:pk>/<int:year>.docx", reports.dept_docx, name="dept_docx"),
        path("dept/<int:pk>/<int:year>.xlsx", reports.dept_xlsx, name="dept_xlsx"),
        path("summary/<int:year>.docx", reports.summary_docx, name="summary_docx"),
    ],
    "reports",
)
