from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from zhixing.api_urls import api
from zhixing.directives.urls import module_urlpatterns
from zhixing.insights import urls as insights_urls

urlpatterns = [
    path("", include("zhixing.core.urls")),
    path("", include("zhixing.orgs.urls")),
    path("study/", include("zhixing.study.urls")),
    path("directives/", include("zhixing.directives.urls")),
    path("modules/", include(module_urlpatterns)),
    path("ledger/", include("zhixing.ledger.urls")),
    # 督办/专班, 回头看 and the 晾晒 board are apps of their own; their pages kept their /ledger/ paths.
    path("ledger/", include("zhixing.supervision.urls")),
    path("ledger/", include("zhixing.review.urls")),
    path("ledger/", include("zhixing.board.urls")),
    path("dashboard/", include(insights_urls.dashboard_patterns)),
    path("assessment/evidence/", include(insights_urls.evidence_patterns)),
    path("assessment/reports/", include(insights_urls.report_patterns)),
    path("assessment/", include("zhixing.assessment.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
