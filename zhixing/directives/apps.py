from __future__ import annotations

from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "zhixing.directives"
    label = "directives"
    verbose_name = "重要讲话与指示批示"

    def ready(self) -> None:
        from zhixing.directives.nav_modules import register_nav

        register_nav()
