from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhixing.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from zhixing.core import (
            accounts_audit,  # noqa: F401  (every account change is audited)
            checks,  # noqa: F401  (system checks of the security settings)
            duties,  # noqa: F401  (no account holds two of the three system roles)
            lockout,  # noqa: F401  (lockouts are logged and audited)
            security,  # noqa: F401  (a disabled account's API tokens are revoked)
            signals,  # noqa: F401  (log-in / log-out audit)
            tasks,  # noqa: F401  (periodic jobs register with huey)
        )
        from zhixing.core.nav import register
        from zhixing.core.scoping import Action

        register("首页", "home", icon="house", order=0)
        register("工作日历", "calendar", icon="calendar3", order=80, section="系统")
        register(
            "审计记录",
            "audit_list",
            icon="shield-check",
            order=90,
            action=Action.AUDIT,
            section="系统",
            perm="core.view_auditevent",  # the 审计员 and 安全管理员 groups (core/duties.py)
        )
