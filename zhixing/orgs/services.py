"""Every write to organisations, people, posts and grants. Atomic, scoped, audited.

`by` is the acting user; None means the system itself (seeding, the command line), which is not scoped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr

from zhixing.core import audit
from zhixing.core import services as core
from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, forget_scope
from zhixing.core.tree import child_path, subtree_q
from zhixing.orgs.choices import ALLOWED_PARENTS, MEMBER_KINDS, OrgKind
from zhixing.orgs.models import Grant, Organization, Person, Post
from zhixing.orgs.policy import ensure_can_change
from zhixing.orgs.validators import (
    birth_date_from_id,
    gender_from_id,
    name_pinyin,
    normalise_id_number,
    validate_id_number,
)

# --- Organisations --------------------------------------------------------------------------------


def _check_parent(kind: str, parent: Organization | None, *, moving: Organization | None = None) -> None:
    allowed = ALLOWED_PARENTS.get(kind, set())
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in allowed:
        names = "、".join(OrgKind(k).label if k else "（无上级，即根组织）" for k in allowed)
        raise ValidationError({"parent": f"“{OrgKind(kind).label}”的上级组织应为：{names}。"})
    if moving is not None and parent is not None and parent.path.startswith(moving.path):
        raise ValidationError({"parent": "不能把组织移到它自己或它的下级组织之下（会形成循环）。"})


def same_name_sibling(
    name: str, parent: Organization | None, *, exclude: int | None = None
) -> Organization | None:
    """The organisation already named `name` under `parent` (two 办公室党支部 under one 机关党委 cannot be told apart
    in a list, an import or a ledger's 牵头单位). Root organisations are not compared."""
    if parent is None:
        return None
    qs = Organization.objects.filter(parent=parent, name=name.strip())
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.only("code", "name").first()


def _check_unique_name(name: str, parent: Organization | None, *, exclude: int | None = None) -> None:
    twin = same_name_sibling(name, parent, exclude=exclude)
    if twin is not None and parent is not None:
        raise ValidationError(
            {"name": f"“{parent.name}”下已有名为“{twin.name}”的组织（编码 {twin.code}），请换一个名称。"}
        )


def create_organization(
    *, by: Actor, code: str, name: str, kind: str, parent: Organization | None, **extra: Any
) -> Organization:
    ensure_can_change(by, parent, field="parent")
    _check_parent(kind, parent)
    _check_unique_name(name, parent)
    with transaction.atomic():
        org = Organization(code=code.strip(), name=name.strip(), kind=kind, parent=parent, **extra)
        org.full_clean(exclude=["path"])
        org.depth = (parent.depth + 1) if parent else 0
        org.save()
        org.path = child_path(parent.path if parent else "", org.pk)
        Organization.objects.filter(pk=org.pk).update(path=org.path)
        audit.record(
            audit.Kind.CREATE,
            actor=by,
            obj=org,
            changes=audit.diff({}, audit.snapshot(org, core.editable_fields(org))),
        )
    return org


def update_organization(
    org: Organization, *, by: Actor, expected_version: int | None = None, **values: Any
) -> Organization:
    ensure_can_change(by, org)
    new_parent = values.pop("parent", org.parent)
    if "name" in values or new_parent != org.parent:
        _check_unique_name(values.get("name", org.name), new_parent, exclude=org.pk)
    with transaction.atomic():
        if (new_parent.pk if new_parent else None) != org.parent_id:
            if expected_version is not None:
                # Check before the move, which bumps the version itself.
                current = Organization.objects.select_for_update().get(pk=org.pk)
                if current.version != expected_version:
                    raise core.ConflictError(current)
            org = move_organization(org, new_parent, by=by)
            expected_version = None  # checked just above; the move bumped it
        kind = values.get("kind", org.kind)
        if kind != org.kind:
            _check_parent(kind, org.parent)
        return core.update(org, by=by, expected_version=expected_version, **values)


def move_organization(org: Organization, new_parent: Organization | None, *, by: Actor) -> Organization:
    """Re-hang a subtree: one UPDATE rewrites the path and depth of every node under it."""
    ensure_can_change(by, org)
    ensure_can_change(by, new_parent, field="parent")
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        if new_parent is not None:
            new_parent = Organization.objects.get(pk=new_parent.pk)
        _check_parent(org.kind, new_parent, moving=org)
        _check_unique_name(org.name, new_parent, exclude=org.pk)
        old_path, old_parent_id = org.path, org.parent_id
        new_path = child_path(new_parent.path if new_parent else "", org.pk)
        depth_delta = ((new_parent.depth + 1) if new_parent else 0) - org.depth
        Organization.objects.filter(subtree_q("path", old_path)).update(
            path=Concat(Value(new_path), Substr("path", Length(Value(old_path)) + 1)),
            depth=F("depth") + depth_delta,
        )
        core.bump_version(org, parent=new_parent)
        org.refresh_from_db()
        audit.record(
            audit.Kind.MOVE,
            actor=by,
            obj=org,
            changes={"parent": [old_parent_id, org.parent_id], "path": [old_path, org.path]},
        )
    if by is not None:
        forget_scope(by)
    return org


# --- People ---------------------------------------------------------------------------------------


def _prepare_person(values: dict[str, Any]) -> dict[str, Any]:
    """Normalise and derive: ID number upper-cased; gender and birth date filled from it when blank."""
    if "name" in values:
        values["name"] = values["name"].strip()
    if "id_number" in values:
        values["id_number"] = normalise_id_number(values["id_number"])
        idn = values["id_number"]
        if idn:
            try:
                validate_id_number(idn)
            except ValidationError as e:
                raise ValidationError({"id_number": e.messages}) from None
            values.setdefault("birth_date", None)
            values["birth_date"] = values["birth_date"] or birth_date_from_id(idn)
            if not values.get("gender"):
                values["gender"] = gender_from_id(idn)
    if "mobile" in values:
        values["mobile"] = (values["mobile"] or "").strip()
    return values


def _eighteenth_birthday(birth: dt.date) -> dt.date:
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:  # born on 29 February
        return dt.date(birth.year + 18, 3, 1)


def _check_dates(values: dict[str, Any], today: dt.date) -> None:
    birth, joined = values.get("birth_date"), values.get("join_date")
    if birth and birth > today:
        raise ValidationError({"birth_date": "出生日期不能晚于今天。"})
    if joined and joined > today:
        raise ValidationError({"join_date": "入党日期不能晚于今天。"})
    if birth and joined and joined < _eighteenth_birthday(birth):
        raise ValidationError({"join_date": "入党日期应在年满 18 周岁之后，请核对出生日期和入党日期。"})


def _check_branch(branch: Organization) -> None:
    if branch.kind not in MEMBER_KINDS:
        raise ValidationError(
            {"branch": f"党员干部应编入党组织（如党支部），不能编入“{branch.get_kind_display()}”。"}
        )


def create_person(*, by: Actor, branch: Organization, today: dt.date, **values: Any) -> Person:
    ensure_can_change(by, branch, field="branch")
    _check_branch(branch)
    values = _prepare_person(values)
    _check_dates(values, today)
    values["name_pinyin"], values["name_initials"] = name_pinyin(values.get("name", ""))
    return core.create(Person, by=by, branch=branch, **values)


def update_person(
    person: Person, *, by: Actor, today: dt.date, expected_version: int | None = None, **values: Any
) -> Person:
    ensure_can_change(by, person.branch, field="branch")
    if "branch" in values:
        ensure_can_change(by, values["branch"], field="branch")
        _check_branch(values["branch"])
    values = _prepare_person(values)
    merged = {"birth_date": person.birth_date, "join_date": person.join_date, **values}
    _check_dates(merged, today)
    if "name" in values:
        values["name_pinyin"], values["name_initials"] = name_pinyin(values["name"])
    return core.update(person, by=by, expected_version=expected_version, **values)


# --- Posts and grants -----------------------------------------------------------------------------


def add_post(
    *,
    by: Actor,
    person: Person,
    organization: Organization,
    title: str,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> Post:
    ensure_can_change(by, organization)
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": "离任日期不能早于任职日期。"})
    return core.create(
        Post,
        by=by,
        person=person,
        organization=organization,
        title=title,
        start_date=start_date,
        end_date=end_date,
    )


def end_post(post: Post, *, by: Actor, end_date: dt.date) -> Post:
    ensure_can_change(by, post.organization)
    if post.start_date and end_date < post.start_date:
        raise ValidationError({"end_date": "离任日期不能早于任职日期。"})
    return core.update(post, by=by, end_date=end_date)


def grant_role(*, by: Actor, user: User, organization: Organization, role: str) -> Grant:
    """An auditor grant makes the account the 审计员 of 三员 (core/duties.py): refused if it holds another of the
    three system roles. The other roles are organisation work and combine freely."""
    from zhixing.core import duties
    from zhixing.orgs.choices import Role

    ensure_can_change(by, organization)
    if Grant.objects.filter(user=user, organization=organization, role=role).exists():
        raise ValidationError("该用户在此组织已有这个角色。")
    if role == Role.AUDITOR:
        try:
            duties.ensure_separate(user, adding={duties.AUDITOR})
        except ValidationError as exc:
            raise ValidationError({"role": exc.messages}) from None
    grant = core.create(Grant, by=by, user=user, organization=organization, role=role)
    forget_scope(user)
    return grant


ADMIN_ROLES = {"committee_admin", "dept_admin", "branch_admin"}
LAST_ADMIN_GRANT = (
    "不能撤销您自己仅有的管理员授权：撤销后您将无法再管理任何组织。如确需撤销，请由上级管理员操作。"
)


def revoke_role(grant: Grant, *, by: Actor) -> None:
    """A superuser keeps every right without grants, so only others are kept from revoking their own last
    administrator grant (which would lock them out of what they manage)."""
    ensure_can_change(by, grant.organization)
    if (
        by is not None
        and not by.is_superuser
        and grant.user_id == by.pk
        and grant.role in ADMIN_ROLES
        and not Grant.objects.filter(user_id=by.pk, role__in=ADMIN_ROLES).exclude(pk=grant.pk).exists()
    ):
        raise ValidationError(LAST_ADMIN_GRANT)
    core.delete(grant, by=by)
    forget_scope(grant.user)


def link_user(person: Person, user: Actor, *, by: Actor) -> Person:
    ensure_can_change(by, person.branch, field="branch")
    return core.update(person, by=by, user=user)


# --- Accounts -------------------------------------------------------------------------------------

COMMITTEE_ONLY_ROLES = {"committee_admin", "auditor"}


def grantable_roles(by: Actor) -> list[str]:
    """Committee admins grant every role; department and branch admins grant the roles below theirs."""
    from zhixing.orgs.choices import Role
    from zhixing.orgs.scope import roles_of

    if by is None or Role.COMMITTEE_ADMIN in roles_of(by):
        return [r.value for r in Role]
    return [r.value for r in Role if r.value not in COMMITTEE_ONLY_ROLES]


def create_account(
    *, by: Actor, username: str, password: str, full_name: str = "", person: Person | None = None
) -> Any:
    """A log-in account, optionally linked to a person in the actor's scope."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password

    user_model = get_user_model()
    username = username.strip()
    if not username:
        raise ValidationError({"username": "请填写用户名。"})
    if user_model.objects.filter(username=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已被使用，请换一个。"})
    if person is not None:
        ensure_can_change(by, person.branch, field="person")
        if person.user_id is not None:
            raise ValidationError({"person": f"{person.name} 已有登录账号。"})
    candidate = user_model(username=username, first_name=full_name[:150])
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    with transaction.atomic():
        user = user_model(username=username, first_name=full_name[:150])
        user.set_password(password)
        user._audited = True  # type: ignore[attr-defined]  # this event below, not the generic one of core.accounts_audit
        user.save()
        audit.record(
            audit.Kind.CREATE,
            actor=by,
            obj=user,
            object_type="auth.user",
            changes={"username": [None, username], "first_name": [None, full_name]},
            org_path=person.branch.path if person is not None else "",
        )
        if person is not None:
            core.update(person, by=by, user=user)
    return user


# One answer for an unknown username and for one outside the grantor's reach, so the form is no account oracle.
ACCOUNT_OUT_OF_REACH = (
    "在您的管理范围内找不到该账号：只能给本范围内党员干部已关联的账号授权。新建账号请同时填写初始密码。"
)


def grantable_accounts(by: Actor) -> Any:
    """The accounts `by` may give a role to: those linked to a person in `by`'s change scope; accounts linked to
    no person only for committee admins; a superuser only for another superuser."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from zhixing.orgs.choices import Role
    from zhixing.orgs.scope import roles_of

    users = get_user_model().objects.all()
    if by is None or by.is_superuser:
        return users
    reach = Q(pk__in=Person.objects.restrict(by, Action.CHANGE).filter(user__isnull=False).values("user_id"))
    if Role.COMMITTEE_ADMIN in roles_of(by):
        reach |= Q(person__isnull=True)
    return users.filter(reach, is_superuser=False)


def grant_role_checked(
    *, by: Actor, user: User, organization: Organization, role: str, new_account: bool = False
) -> Grant:
    """grant_role for pages and the API: the actor may grant only the roles `grantable_roles` allows, and only to
    `grantable_accounts` (or to the account it has just opened in the same transaction: `new_account`)."""
    if role not in grantable_roles(by):
        raise ValidationError({"role": "您无权授予该角色；机关工委管理员和审计员只能由机关工委授予。"})
    if not new_account and not grantable_accounts(by).filter(pk=user.pk).exists():
        raise ValidationError({"username": ACCOUNT_OUT_OF_REACH})
    return grant_role(by=by, user=user, organization=organization, role=role)
