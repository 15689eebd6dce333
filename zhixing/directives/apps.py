from __future__ import annotations

from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "zhixing.directives"
    label = "directives"
    verbose_name = "重要讲话与指示批示"

    def ready(self) -> None:
        from zhixing.core import home, seeding
        from zhixing.core.nav import register
        from zhixing.directives import (
            seed,
            tasks,  # noqa: F401  (periodic jobs register with huey)
            views,
        )
        from zhixing.study import hooks

        register("讲话指示", "directives:directive_list", icon="megaphone", order=50)
        home.register("directives/home_panel.html", views.home_panel, order=10)
        hooks.register_detail_panel("directives/activity_panel.html", views.activity_panel, order=10)
        seeding.register("directives", order=seed.ORDER, fill=seed.fill, clear=seed.clear)
