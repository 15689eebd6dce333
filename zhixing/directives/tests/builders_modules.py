"""Tiny builders for directives tests (the registration service lives elsewhere; these write with the ORM)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from zhixing.directives.choices import DirectiveKind, ModuleEntryStatus
from zhixing.directives.models import Directive, Field, LearningModule, ModuleEntry
from zhixing.orgs.models import Organization


def directive(issuer: Organization, title: str, text: str = "", **extra: Any) -> Directive:
    issued = extra.pop("issued_on", dt.date(2026, 3, 2))
    fields = extra.pop("fields", [])
    d = Directive.objects.create(
        issuer=issuer,
        title=title,
        kind=extra.pop("kind", DirectiveKind.SPEECH),
        issued_on=issued,
        deadline=extra.pop("deadline", issued + dt.timedelta(days=7)),
        text=text,
        **extra,
    )
    if fields:
        d.fields.set(fields)
    return d


def module(org: Organization, *field_names: str, keywords: str = "") -> LearningModule:
    m = LearningModule.objects.create(organization=org, keywords=keywords)
    m.fields.set([Field.objects.get_or_create(name=n)[0] for n in field_names])
    return m


def entry(
    m: LearningModule, d: Directive, status: str = ModuleEntryStatus.CONFIRMED, **extra: Any
) -> ModuleEntry:
    if status != ModuleEntryStatus.SUGGESTED:
        extra.setdefault("decided_at", timezone.now())
    return ModuleEntry.objects.create(module=m, directive=d, status=status, **extra)
