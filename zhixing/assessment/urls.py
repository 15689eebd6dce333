from __future__ import annotations

app_name = "assessment"
urlpatterns: list = []
