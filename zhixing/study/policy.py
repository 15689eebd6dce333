"""Who may do what in study (学习): the only place its access rules are written (see ledger/policy.py for the shape).

- Activities, their agenda, attendance, attachments: scoped by the activity's organisation (`scope_path`, core's
  default rule); changed by whoever may change that organisation (`can_change_activity`).
- Annual plans and monthly arrangements (`plan_q`, `readable_org_q`): read by the organisation's subtree AND by
  everyone below an ancestor of it — a branch reads its 机关党委's plan, department B never sees department A's
  (core.scoping.Scope.q_or_above, the same rule as the committee's assessment schemes); written by the
  机关党委's admins (`ensure_can_write_plan`).
- The committee's 组织生活参考: read by anyone with some view scope (`can_read_references`), written by the
  committee (`can_write_references`, change scope over a root: core.scoping.is_committee).
- The study norms (学习制度规范): the committee's too (`can_edit_norms`).

`None` as the user is the system (seeding, the command line): it may do everything.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q

from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, is_committee, scope_for
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.orgs.policy import can_change, ensure_can_change
from zhixing.study.models import Activity

NOT_ORGAN_COMMITTEE = "学习计划和月度安排由机关党委制定，请选择机关党委。"
NORMS_ARE_THE_COMMITTEES = "只有机关工委可以修改学习制度规范。"


# --- Querysets -------------------------------------------------------------------------------------


def readable_org_q(user: Actor, field: str = "organization") -> Q:
    """Rows of organisations in the user's view scope, or of an ANCESTOR of it. `field=""` filters Organization
    itself (the 机关党委 whose plans and arrangements the user reads)."""
    path_field, id_field = (f"{field}__path", f"{field}_id") if field else ("path", "pk")
    return scope_for(user, Action.VIEW).q_or_above(path_field, id_field)


def plan_q(user: Actor, action: Action | str = Action.VIEW) -> Q:
    """Annual plans (`StudyPlan.objects.restrict`): viewing, `readable_org_q`; any other action, the plan's
    organisation in scope."""
    if Action(action) == Action.VIEW:
        return readable_org_q(user)
    scope = scope_for(user, action)
    return Q() if scope.everything else scope.q("organization__path")


# --- Predicates ------------------------------------------------------------------------------------


def can_change_activity(user: Actor, activity: Activity) -> bool:
    return can_change(user, activity.organization)


def ensure_can_write_plan(by: Actor, org: Organization) -> None:
    """Plans and monthly arrangements are a 机关党委's, written by its admins."""
    if org.kind != OrgKind.ORGAN_COMMITTEE:
        raise ValidationError({"organization": NOT_ORGAN_COMMITTEE})
    ensure_can_change(by, org)


def can_read_references(user: Actor) -> bool:
    """The committee's 组织生活参考 is for every organisation: anyone with some view scope reads it."""
    return user is None or not scope_for(user, Action.VIEW).nothing


def can_write_references(user: Actor) -> bool:
    return is_committee(user, Action.CHANGE)


def can_edit_norms(user: Actor) -> bool:
    return is_committee(user, Action.CHANGE)


def ensure_can_edit_norms(by: Actor) -> None:
    if not can_edit_norms(by):
        raise ValidationError(NORMS_ARE_THE_COMMITTEES)


def can(user: Actor, action: str, obj: Activity | Organization | None = None) -> bool:
    """`can(user, "change", activity)`, `can(user, "write_plan", organ_committee)`, `can(user, "read_references")`,
    `can(user, "write_references")`, `can(user, "edit_norms")`."""
    if action == Action.CHANGE and isinstance(obj, Activity):
        return can_change_activity(user, obj)
    if action == "write_plan" and isinstance(obj, Organization):
        return obj.kind == OrgKind.ORGAN_COMMITTEE and can_change(user, obj)
    if action == "read_references":
        return can_read_references(user)
    if action == "write_references":
        return can_write_references(user)
    if action == "edit_norms":
        return can_edit_norms(user)
    raise ValueError(f"no study rule for {action}")
