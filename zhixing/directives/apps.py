from __future__ import annotations

from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "zhixing.directives"
    label = "directives"
    verbose_name = "重要讲话与指示批示"

    def ready(self) -> None:
        from zhixing.core import home, seeding
        from zhixing.core.nav import register
        from zhixing.directives import seed, services, tasks, todo, views  # noqa: F401  (tasks: its jobs register)
        from zhixing.directives.views import activity_form
        from zhixing.study import hooks as study_hooks

        register("讲话指示", "directives:directive_list", icon="megaphone", order=50, section="讲话指示")
        register("学习模块", "modules:index", icon="collection", order=55, section="讲话指示")
        home.register_todo("directives.not_studied", todo.not_studied, order=50)
        study_hooks.register_detail_panel("directives/activity_panel.html", views.activity_panel, order=10)
        # What an agenda item studied follows its activity: a date before the directive is refused, a
        # cancelled activity's links go.
        study_hooks.register_change_check(services.check_activity_change)
        study_hooks.register_on_cancel(services.unlink_cancelled_activity)
        # What the meeting studied is ticked in the meeting form itself (matched from its agenda).
        study_hooks.register_form_section(
            activity_form.TEMPLATE, activity_form.section_context, services.link_ticked, order=10
        )
        seeding.register("directives", order=seed.ORDER, fill=seed.fill, clear=seed.clear)
