"""Every change to a log-in account goes into the audit trail, whoever makes it and wherever: the password page,
Django admin (password, superuser, staff, active, groups, permissions), `createsuperuser`/`changepassword`, the
accounts page. Signals are the one place all those paths meet; the acting user is the request's user, which
`CurrentRequest` (a middleware) makes available here, or "系统" for commands. Password hashes are never written:
only that the password changed."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from zhixing.core import audit

_request: ContextVar[HttpRequest | None] = ContextVar("zhixing_request", default=None)

WATCHED = ("username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser")


class CurrentRequest:
    """Makes the request (and so the acting user and IP) known to the account-audit signals."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def _actor_and_ip() -> tuple[Any, str | None]:
    request = _request.get()
    if request is None:
        return None, None
    user = getattr(request, "user", None)
    return (user if getattr(user, "is_authenticated", False) else None), request.META.get(
        "REMOTE_ADDR"
    ) or None


def _record(user: Any, action: str, changes: dict[str, Any]) -> None:
    actor, ip = _actor_and_ip()
    audit.record(action, actor=actor, obj=user, object_type="auth.user", changes=changes, ip=ip)


User = get_user_model()


@receiver(pre_save, sender=User, dispatch_uid="audit-account-before")
def _before(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.pk is None or (update_fields is not None and set(update_fields) <= {"last_login"}):
        instance._audit_before = None
        return
    instance._audit_before = sender.objects.filter(pk=instance.pk).values("password", *WATCHED).first()


@receiver(post_save, sender=User, dispatch_uid="audit-account-after")
def _after(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    if created:
        if getattr(instance, "_audited", False):  # orgs.services.create_account records its own event
            return
        changes = {
            f: [None, getattr(instance, f)] for f in WATCHED if getattr(instance, f) not in ("", False)
        }
        _record(instance, audit.Kind.CREATE, changes)
        return
    before = getattr(instance, "_audit_before", None)
    if not before:
        return
    changes = {f: [before[f], getattr(instance, f)] for f in WATCHED if before[f] != getattr(instance, f)}
    if before["password"] != instance.password:
        changes["password_changed"] = [False, True]  # never the hash
    if changes:
        _record(instance, audit.Kind.UPDATE, changes)


def _on_m2m(field: str) -> Callable[..., None]:
    def handler(
        sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: Any, **kw: Any
    ) -> None:
        if reverse or action not in {"post_add", "post_remove", "post_clear"}:
            return
        if action != "post_clear" and not pk_set:
            return
        names = sorted(str(o) for o in model.objects.filter(pk__in=pk_set or []))
        verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
        _record(instance, audit.Kind.UPDATE, {f"{field}_{verb}": [None, names or "全部"]})

    return handler


_groups = _on_m2m("groups")
_perms = _on_m2m("user_permissions")
m2m_changed.connect(_groups, sender=User.groups.through, dispatch_uid="audit-account-groups")
m2m_changed.connect(_perms, sender=User.user_permissions.through, dispatch_uid="audit-account-perms")
