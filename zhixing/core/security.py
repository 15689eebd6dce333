"""Account security (等保 2.0): the password rules, password history and expiry, the forced first change, and what
a password change or a disabled account does to API tokens. The session side (idle timeout, the forced change
page) is core/middleware.py's SessionSecurity.

Every password that is saved goes through Django's `password_changed` hook (AbstractBaseUser.save after
set_password), which calls `PasswordHistoryValidator.password_changed` below, or, for a new account whose hash was
written directly (UserManager.create_user), through the post_save receiver `account_saved`: the new hash is kept, the account's API tokens are revoked and,
unless the owner changed it on the password page (`self_service`), the account must change it at next log-in — so
an account created or reset by an admin, `createadmin` or `changepassword` is covered without each of them knowing.
Seeds mark their demo accounts with `exempt_from_password_change(users, expiry=False)`: no forced change, no expiry.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from zhixing.core import audit
from zhixing.core.models import AccountSecurity, ApiToken, PasswordHistory

log = logging.getLogger("zhixing.security")

# Session keys (core/middleware.py reads them)
AUTH_AT = "zx_auth_at"  # when the session logged in (epoch seconds)
SEEN_AT = "zx_seen_at"  # last activity
PASSWORD_CHANGE = "zx_password_change"  # "must_change" or "expired": only the password page until changed

MUST_CHANGE = "must_change"
EXPIRED = "expired"

_self_service: contextvars.ContextVar[Any] = contextvars.ContextVar("zx_password_self_service", default=None)


@contextmanager
def self_service(user: User | AnonymousUser) -> Iterator[None]:
    """The owner is changing their own password (the password page): no forced change afterwards."""
    token = _self_service.set(user.pk)
    try:
        yield
    finally:
        _self_service.reset(token)


# --- Validators (settings.AUTH_PASSWORD_VALIDATORS) ------------------------------------------------

CLASSES = (
    ("大写字母", re.compile(r"[A-Z]")),
    ("小写字母", re.compile(r"[a-z]")),
    ("数字", re.compile(r"[0-9]")),
    ("符号", re.compile(r"[^A-Za-z0-9]")),
)


class CharacterClassesValidator:
    """At least `min_length` characters from at least `min_classes` of: upper case, lower case, digits, symbols."""

    def __init__(self, min_length: int = 8, min_classes: int = 3) -> None:
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password: str, user: User | None = None) -> None:
        present = [name for name, pattern in CLASSES if pattern.search(password)]
        if len(password) < self.min_length or len(present) < self.min_classes:
            missing = "、".join(name for name, pattern in CLASSES if not pattern.search(password))
            raise ValidationError(
                f"密码至少 {self.min_length} 位，且须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类"
                f"（当前 {len(password)} 位、{len(present)} 类{f'，可加入{missing}' if missing else ''}）。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return (
            f"至少 {self.min_length} 位，包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"
        )


class SimilarityValidator(UserAttributeSimilarityValidator):
    """Django's check (similar to username, name, e-mail), plus: the password may not contain the username."""

    def validate(self, password: str, user: User | None = None) -> None:
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= 3 and username in password.lower():
            raise ValidationError(
                "密码不能包含用户名，请换一个与用户名无关的密码。", code="password_too_similar"
            )
        super().validate(password, user)

    def get_error_message(self) -> str:
        return "密码与%(verbose_name)s太相似，请换一个与用户名、姓名、邮箱都无关的密码。"

    def get_help_text(self) -> str:
        return "不能与用户名、姓名、邮箱相似。"


class PasswordHistoryValidator:
    """Not one of the last ZHIXING_PASSWORD_HISTORY passwords; and the hook that runs whenever a password is saved."""

    def validate(self, password: str, user: User | None = None) -> None:
        count = settings.ZHIXING_PASSWORD_HISTORY
        if user is None or user.pk is None or count <= 0:
            return
        recent = PasswordHistory.objects.filter(user_id=user.pk).order_by("-created_at", "-id")[:count]
        if any(check_password(password, row.password) for row in recent):
            raise ValidationError(
                f"新密码不能与最近 {count} 次使用过的密码相同，请换一个新密码。", code="password_reused"
            )

    def get_help_text(self) -> str:
        return f"不能与最近 {settings.ZHIXING_PASSWORD_HISTORY} 次使用过的密码相同。"

    def password_changed(self, password: str, user: User | None = None) -> None:
        if user is not None and user.pk is not None:
            password_saved(user)


# --- What saving a password does --------------------------------------------------------------------


def password_saved(user: User, *, new_account: bool = False) -> None:
    """Keep the hash (the newest row's time starts the expiry), flag a forced change unless the owner set it on the
    password page, revoke the account's API tokens; one audit event (a new account's creation is audited by the
    service that creates it)."""
    by_owner = _self_service.get() == user.pk
    with transaction.atomic():
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = max(settings.ZHIXING_PASSWORD_HISTORY, 1)
        old = (
            PasswordHistory.objects.filter(user=user)
            .order_by("-created_at", "-id")
            .values_list("id", flat=True)[keep:]
        )
        PasswordHistory.objects.filter(id__in=list(old)).delete()
        AccountSecurity.objects.update_or_create(user=user, defaults={"must_change_password": not by_owner})
        revoked = ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
        if new_account:
            return
        audit.record(
            audit.Kind.PASSWORD,
            actor=user if by_owner else None,
            obj=user,
            object_type="auth.user",
            changes={
                "changed_by": "本人" if by_owner else "管理员或命令",
                "must_change": not by_owner,
                "tokens_revoked": revoked,
            },
        )


def password_state(user: User, now: dt.datetime) -> str:
    """ "" when the account may work; MUST_CHANGE (set by an admin) or EXPIRED (older than the maximum age)."""
    if AccountSecurity.objects.filter(user_id=user.pk, must_change_password=True).exists():
        return MUST_CHANGE
    days = settings.ZHIXING_PASSWORD_MAX_AGE_DAYS
    if days > 0:
        last = (
            PasswordHistory.objects.filter(user_id=user.pk)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last is not None and now - last >= dt.timedelta(days=days):
            return EXPIRED
    return ""


def start_session(request: Any, user: User, now: dt.datetime) -> None:
    """At log-in: stamp the session's start and last activity, and note whether the password must be changed."""
    session = getattr(request, "session", None)
    if session is None:
        return
    stamp = now.timestamp()
    session[AUTH_AT] = stamp
    session[SEEN_AT] = stamp
    state = password_state(user, now)
    if state:
        session[PASSWORD_CHANGE] = state
    else:
        session.pop(PASSWORD_CHANGE, None)


def exempt_from_password_change(users: Any, *, expiry: bool = True) -> None:
    """For seeds: these accounts are not asked to change their password at first log-in (test personas); with
    expiry=False their password never expires either (the demo accounts, whose well-known password is printed by
    `zhixing demo`: demo data only, never production)."""
    AccountSecurity.objects.filter(user__in=users).update(must_change_password=False)
    if not expiry:
        PasswordHistory.objects.filter(user__in=users).delete()


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="zhixing-account-saved")
def account_saved(
    sender: Any, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    """A new account whose password was written as a hash (UserManager.create_user, createadmin, seeds) did not
    pass the `password_changed` hook: it counts as set by an admin. A disabled account loses its API tokens."""
    if raw:
        return
    if created and instance.has_usable_password() and getattr(instance, "_password", None) is None:
        password_saved(instance, new_account=True)
    if instance.is_active:
        return
    revoked = ApiToken.objects.filter(user=instance, revoked=False).update(revoked=True)
    if revoked:
        log.info("revoked %s API tokens of disabled account %s", revoked, instance.pk)
        audit.record(
            audit.Kind.TOKEN,
            obj=instance,
            object_type="auth.user",
            changes={"revoked": revoked, "reason": "账号已停用"},
        )
