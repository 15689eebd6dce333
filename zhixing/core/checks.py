"""Django system checks of Zhixing's security settings: they run before `zhixing serve`, `worker`, `migrate` and
every other command, so a setting that breaks the law or the 等保 policy stops the start with a Chinese message."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

# 网络安全法第二十一条: network logs are kept no less than six months.
MIN_AUDIT_RETENTION_DAYS = 183


def retention_error(days: int) -> str:
    """The refusal of a retention shorter than the law allows ("" when it is long enough)."""
    if days >= MIN_AUDIT_RETENTION_DAYS:
        return ""
    return (
        f"ZHIXING_AUDIT_RETENTION_DAYS={days} 太短：审计记录至少保留 {MIN_AUDIT_RETENTION_DAYS} 天"
        "（《网络安全法》第二十一条：网络日志留存不少于六个月）。请设为 183 或更大（默认 730，即两年）。"
    )


@register("security")
def audit_retention(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    message = retention_error(settings.ZHIXING_AUDIT_RETENTION_DAYS)
    return [Error(message, id="core.E001")] if message else []
