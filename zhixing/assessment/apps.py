from __future__ import annotations

from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "zhixing.assessment"
    label = "assessment"
    verbose_name = "考核问效"

    def ready(self) -> None:
        from zhixing.assessment import setup

        setup.ready()
