"""Separation of duties (三权分立, 等保 2.0 level 3): the three system roles, 三员, and the rule that no account
holds two of them.

- 系统管理员 (system admin): accounts and system settings — creates and disables accounts and resets passwords in
  Django admin, keeps the holiday table and API tokens. Cannot assign roles or permissions.
- 安全管理员 (security admin): assigns the three roles (`assign_duty`, or the groups field of a user in Django
  admin), holds `core.reveal_audit_value` (raw personal values in the trail, with a reason).
- 审计员 (auditor): reads the whole audit trail at /audit/ (`core.view_auditevent`) and nothing else. An
  organisation-scoped auditor grant (orgs Role.AUDITOR, the demo's `shenji`) counts as this role too.

Each is a Django group of that name with its permissions (migration core 0007). The organisation-scoped roles
(committee, department, branch admins) are daily Party work, granted by those organisations' admins; they are not
三员. The superuser is for installation only; its every session and write is audited (`SuperuserAudit`).

One rule, one place: `ensure_separate(user, adding=...)` refuses a second role, called by `assign_duty`, by orgs'
`grant_role` for an auditor grant, by the user form in Django admin, and — as a last line for any other path (a
shell, a command) — by the `m2m_changed` guard on user groups below. `zhixing duties_check` lists violations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from zhixing.core import audit
from zhixing.core.actors import Actor
from zhixing.core.policy import is_security_admin

SYSTEM_ADMIN = "系统管理员"
SECURITY_ADMIN = "安全管理员"
AUDITOR = "审计员"
DUTIES = (SYSTEM_ADMIN, SECURITY_ADMIN, AUDITOR)

TWO_DUTIES = "同一账号不能同时担任系统管理员、安全管理员和审计员中的两个角色"

# Permissions of each group ("app_label.codename"), set by migration core 0007 and re-applied by `duties_check
# --fix-groups`. The system admin manages accounts but not their roles: UserAdmin keeps groups, permissions, staff
# and superuser read-only for it (core/admin.py).
DUTY_PERMISSIONS: dict[str, tuple[str, ...]] = {
    SYSTEM_ADMIN: (
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "core.add_holiday",
        "core.change_holiday",
        "core.delete_holiday",
        "core.view_holiday",
        "core.view_apitoken",
        "core.delete_apitoken",
    ),
    SECURITY_ADMIN: (
        "core.reveal_audit_value",
        "core.view_auditevent",
        "auth.view_user",
        "auth.change_user",
        "auth.view_group",
    ),
    AUDITOR: ("core.view_auditevent",),
}

# Other sources of a duty, registered by later apps (orgs: an auditor grant counts as 审计员).
_sources: list[Callable[[Any], set[str]]] = []


def register_source(source: Callable[[Any], set[str]]) -> None:
    if source not in _sources:
        _sources.append(source)


def source_duties(user: User) -> set[str]:
    """Duties from the registered sources (an organisation-scoped auditor grant)."""
    found: set[str] = set()
    if user.pk is not None:
        for source in _sources:
            found |= source(user)
    return found


def _direct_duties(user: User) -> set[str]:
    """Duties that do not come from the three groups: a directly given reveal permission, registered sources."""
    found = source_duties(user)
    if (
        user.pk is not None
        and user.user_permissions.filter(
            content_type__app_label="core", codename="reveal_audit_value"
        ).exists()
    ):
        found.add(SECURITY_ADMIN)
    return found


def duties_of(user: User) -> set[str]:
    if user is None or user.pk is None:
        return set()
    groups = set(user.groups.filter(name__in=DUTIES).values_list("name", flat=True))
    return groups | _direct_duties(user)


def ensure_separate(user: User, *, adding: Iterable[str], keep_groups: bool = True) -> None:
    """Refuse when `user` would hold two of the three roles after gaining `adding`. `keep_groups=False` when
    `adding` replaces the user's groups (a form that sets them all)."""
    current = duties_of(user) if keep_groups else _direct_duties(user)
    after = current | (set(adding) & set(DUTIES))
    if len(after) > 1:
        raise ValidationError(TWO_DUTIES)


def assign_duty(user: User, duty: str, *, by: Actor) -> None:
    """The security admin (or a superuser at installation, or a command: by=None) gives `user` one of the three
    roles. All three become staff: system and security admins work in Django admin, the auditor reads the trail
    (/audit/, and the audit events in admin, read-only); being staff is what shows them the 审计记录 menu."""
    if duty not in DUTIES:
        raise ValidationError({"duty": "请选择系统管理员、安全管理员或审计员。"})
    if by is not None and not is_security_admin(by):
        raise PermissionDenied("只有安全管理员可以分配系统管理员、安全管理员和审计员角色。")
    with transaction.atomic():
        ensure_separate(user, adding={duty})
        user.groups.add(Group.objects.get(name=duty))  # audited by core.accounts_audit
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])


def remove_duty(user: User, duty: str, *, by: Actor) -> None:
    if by is not None and not is_security_admin(by):
        raise PermissionDenied("只有安全管理员可以撤销系统管理员、安全管理员和审计员角色。")
    user.groups.remove(*Group.objects.filter(name=duty))


def violations() -> list[tuple[Any, set[str]]]:
    """Accounts that hold two or more of the three roles, whatever way they got them."""
    users = get_user_model().objects.order_by("pk")
    found = []
    for user in users.iterator():
        duties = duties_of(user)
        if len(duties) > 1:
            found.append((user, duties))
    return found


def ensure_groups() -> None:
    """Create the three groups with their permissions (idempotent; the migration and `duties_check` call it)."""
    from django.contrib.auth.models import Permission

    for name, perms in DUTY_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted: list[Permission] = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="duties-separate")
def _guard(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    """The last line: whatever path adds a group (a shell, a command, a form that forgot), no second role."""
    if action != "pre_add" or not pk_set:
        return
    if not reverse:  # user.groups.add(...)
        names = set(Group.objects.filter(pk__in=pk_set, name__in=DUTIES).values_list("name", flat=True))
        if names:
            ensure_separate(instance, adding=names)
        return
    if instance.name in DUTIES:  # group.user_set.add(...)
        for user in get_user_model().objects.filter(pk__in=pk_set):
            ensure_separate(user, adding={instance.name})


def record_superuser_use(request: Any, why: str) -> None:
    from zhixing.core.signals import client_ip

    user = request.user
    audit.record(
        audit.Kind.SUPERUSER_USE,
        actor=user,
        object_type="auth.user",
        object_id=str(user.pk),
        object_repr=user.get_username(),
        changes={"why": why, "method": request.method, "path": request.path[:200]},
        ip=client_ip(request),
    )


def superusers() -> Any:
    return get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk")
