"""Finding a person by name within organisations' subtrees (task forms and the xlsx import share this)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db.models import Q

from zhixing.core.actors import Actor
from zhixing.core.scoping import Action
from zhixing.core.tree import subtree_q
from zhixing.orgs.models import Organization, Person

_WITH_ID = re.compile(r"^(?P<name>.*?)\s*[#＃](?P<id>\d+)$")


def people_in(orgs: Sequence[Organization]) -> Q:
    q = Q(pk__in=[])
    for org in orgs:
        q |= subtree_q("branch__path", org.path)
    return q


def find_person(text: str, orgs: Sequence[Organization]) -> Person:
    """`text` is a name ("张三"), or a name with the person's number ("张三#12") when two share the name.
    Raises ValueError with a Chinese message saying what to fix."""
    raw = (text or "").strip()
    if not raw:
        raise ValueError("请填写责任人姓名。")
    match = _WITH_ID.match(raw)
    qs = Person.objects.select_related("branch").filter(is_active=True)
    where = "、".join(o.name for o in orgs) or "所选单位"
    if match:
        # Only within `orgs`: a number outside them is answered as one that does not exist (no person oracle).
        person = qs.filter(people_in(orgs), pk=int(match["id"]), name=match["name"]).first()
        if person is None:
            raise ValueError(f"没有编号为 {match['id']} 的“{match['name']}”。")
        return person
    found = list(qs.filter(people_in(orgs), name=raw)[:5])
    if not found:
        raise ValueError(f"在{where}（含下属支部）中没有找到“{raw}”，请核对姓名，或先在人员库中登记。")
    if len(found) > 1:
        choices = "、".join(f"{p.name}#{p.pk}（{p.branch.name}）" for p in found)
        raise ValueError(f"“{raw}”有 {len(found)} 位同名人员：{choices}。请写成“姓名#编号”。")
    return found[0]


def selectable_person(pk: object, *, user: Actor, orgs: Sequence[Organization]) -> Person | None:
    """The active person numbered `pk` whom `user` may name for a task or a rectification: someone in `orgs`'
    subtrees (as the forms offer them by name) or someone the user may see anyway. Anyone else is None, exactly
    like a number that does not exist, so that an id cannot be used to look up the city's people."""
    try:
        number = int(pk)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    visible = Person.objects.restrict(user, Action.VIEW).values("pk")
    return (
        Person.objects.select_related("branch")
        .filter(pk=number, is_active=True)
        .filter(people_in(orgs) | Q(pk__in=visible))
        .first()
    )


def person_label(person: Person | None) -> str:
    return f"{person.name}#{person.pk}" if person is not None else ""
