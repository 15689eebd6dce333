"""Navigation entry of the learning modules; called from DirectivesConfig.ready()."""

from __future__ import annotations


def register_nav() -> None:
    from zhixing.core.nav import register

    register("学习模块", "modules:index", icon="collection", order=55, section="讲话指示")
