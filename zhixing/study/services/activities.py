"""Every write of the study app: activities, agendas, attendance, QR sign-in, attachments, norms.

Atomic, audited, scoped with orgs.policy.ensure_can_change. `by` is the acting user; None = the system.
Bad input raises ValidationError with a Chinese message and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from zhixing.core import audit
from zhixing.core import services as core
from zhixing.core.actors import Actor, account
from zhixing.core.attachments import Vetted, vet
from zhixing.core.tree import subtree_q
from zhixing.orgs.choices import PARTY_MEMBER_STATUSES, OrgKind, PostTitle
from zhixing.orgs.models import Organization, Person
from zhixing.orgs.policy import ensure_can_change
from zhixing.study import hooks, policy
from zhixing.study.choices import (
    KIND_ORG_KINDS,
    MAX_DAYS_AHEAD,
    PARTY_ONLY_KINDS,
    SIGN_IN_OPENS_BEFORE,
    ActivityKind,
    AttendanceStatus,
    GuestKind,
    kind_allowed,
)
from zhixing.study.models import Activity, AgendaItem, Attachment, Attendance, Norm

ACTIVITY_FIELDS = {
    "kind",
    "title",
    "date",
    "start_time",
    "end_time",
    "duration_minutes",
    "place",
    "online",
    "speaker",
    "speaker_name",
    "campaign",
    "materials",
    "minutes",
}


# --- Who belongs ----------------------------------------------------------------------------------


def _current_posts_q(org: Organization, today: dt.date, title: str | None = None) -> Q:
    q = Q(posts__organization=org) & (Q(posts__end_date__isnull=True) | Q(posts__end_date__gte=today))
    if title:
        q &= Q(posts__title=title)
    return q


def members(org: Organization, *, today: dt.date) -> QuerySet[Person]:
    """The organisation's people: those whose 支部 lies in its subtree, and those holding a current post in it
    (a 党组's leadership members belong to no branch under it)."""
    return Person.objects.filter(
        (subtree_q("branch__path", org.path) | _current_posts_q(org, today)) & Q(is_active=True)
    ).distinct()


def expected_attendees(org: Organization, kind: str, *, today: dt.date) -> QuerySet[Person]:
    """Who should attend by default: for 中心组学习 the holders of the 中心组成员 post in the organisation;
    otherwise its members."""
    if kind == ActivityKind.STUDY_GROUP:
        return Person.objects.filter(
            _current_posts_q(org, today, PostTitle.STUDY_GROUP) & Q(is_active=True)
        ).distinct()
    if kind in PARTY_ONLY_KINDS:
        return members(org, today=today).filter(party_status__in=PARTY_MEMBER_STATUSES)
    return members(org, today=today)


def _is_member(org: Organization, person: Person, on: dt.date) -> bool:
    return members(org, today=on).filter(pk=person.pk).exists()


# --- Activities -----------------------------------------------------------------------------------


def _check_kind(org: Organization, kind: str | None) -> None:
    if kind is not None and not kind_allowed(kind, org.kind):
        holders = "、".join(OrgKind(k).label for k in sorted(KIND_ORG_KINDS[kind]))
        raise ValidationError(
            {"kind": f"“{ActivityKind(kind).label}”只能由{holders}召开，“{org.name}”请选择其他活动类型。"}
        )


def _check_activity(values: dict[str, Any], today: dt.date) -> None:
    date = values.get("date")
    if date is not None and date > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(
            {
                "date": f"活动日期不能晚于今天之后 {MAX_DAYS_AHEAD} 天（{today + dt.timedelta(days=MAX_DAYS_AHEAD):%Y-%m-%d}），请核对日期。"
            }
        )
    start, end = values.get("start_time"), values.get("end_time")
    if start and end and end < start:
        raise ValidationError({"end_time": "结束时间不能早于开始时间。"})
    if not values.get("online") and not (values.get("place") or "").strip():
        raise ValidationError({"place": "请填写活动地点；线上开展的请勾选“线上”。"})
    if not (values.get("title") or "").strip():
        raise ValidationError({"title": "请填写活动主题。"})
    if "duration_minutes" in values and not values.get("duration_minutes") and start and end:
        values["duration_minutes"] = (
            dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)
        ).seconds // 60


def _link_speaker(org: Organization, values: dict[str, Any], on: dt.date) -> None:
    """Enter once: a speaker typed by name is linked to the member of that name when exactly one matches."""
    name = (values.get("speaker_name") or "").strip()
    values["speaker_name"] = name
    if values.get("speaker") is None and name:
        found = list(members(org, today=on).filter(name=name)[:2])
        values["speaker"] = found[0] if len(found) == 1 else None


def _clean_agenda(lines: Iterable[str]) -> list[str]:
    items = [line.strip() for line in lines if line and line.strip()]
    for i, line in enumerate(items, start=1):
        if len(line) > 300:
            raise ValidationError({"agenda": f"第 {i} 项议题过长（最多 300 字），请精简。"})
    return items


def _write_agenda(activity: Activity, items: list[str], first_is_study: bool) -> None:
    """Make the agenda `items`, keeping the rows of items whose title stays (moved to their new place), so that
    what later modules attached to an item (the directive it studied) survives an edit of the agenda."""
    existing: dict[str, list[AgendaItem]] = {}
    for item in AgendaItem.objects.filter(activity=activity).order_by("order"):
        existing.setdefault(item.title, []).append(item)
    kept: list[AgendaItem] = []
    new: list[AgendaItem] = []
    for order, title in enumerate(items, start=1):
        is_study = order == 1 and first_is_study
        if existing.get(title):
            item = existing[title].pop(0)
            item.order, item.is_study = order, is_study
            kept.append(item)
        else:
            new.append(AgendaItem(activity=activity, order=order, title=title, is_study=is_study))
    AgendaItem.objects.filter(pk__in=[i.pk for rest in existing.values() for i in rest]).delete()
    # Park the kept rows out of the way first: (activity, order) is unique and checked row by row.
    AgendaItem.objects.filter(pk__in=[i.pk for i in kept]).update(order=F("order") + 1000)
    AgendaItem.objects.bulk_update(kept, ["order", "is_study"])
    AgendaItem.objects.bulk_create(new)


def _check_attendees(org: Organization, people: Sequence[Person], on: dt.date, kind: str = "") -> None:
    allowed = set(members(org, today=on).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))
    outsiders = [p.name for p in people if p.pk not in allowed]
    if outsiders:
        raise ValidationError(
            {
                "attendees": f"{'、'.join(outsiders)} 不是“{org.name}”的成员，不能列为应到人员；"
                "如为列席人员，请在出席情况中以“列席”方式添加。"
            }
        )
    if kind in PARTY_ONLY_KINDS:
        non_party = [p.name for p in people if p.party_status not in PARTY_MEMBER_STATUSES]
        if non_party:
            raise ValidationError(
                {
                    "attendees": f"{'、'.join(non_party)} 不是中共党员（正式或预备），"
                    f"{ActivityKind(kind).label}的应到人员只能是党员；请在出席情况中以“列席”方式添加。"
                }
            )


def record_activity(
    *,
    by: Actor,
    organization: Organization,
    agenda: Iterable[str] = (),
    first_is_study: bool = False,
    attendees: Sequence[Person] | None = None,
    all_present: bool = False,
    photos: Sequence[UploadedFile] = (),
    then: Callable[[Activity], None] | None = None,
    today: dt.date,
    **values: Any,
) -> Activity:
    """Record an activity with its agenda (one title per item, in order) and its expected attendees (default:
    see expected_attendees). `all_present` marks every expected attendee present (a meeting recorded after
    the fact where nobody was missing). `photos` are attached in the same transaction (each checked first: a
    refused photo records nothing), and `then(activity)` runs inside it too — the activity form's sections from
    later apps (study.hooks.register_form_section), so the meeting and what it studied stand or fall together."""
    ensure_can_change(by, organization)
    unknown = set(values) - ACTIVITY_FIELDS
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    values.setdefault("duration_minutes", None)
    _check_kind(organization, values.get("kind"))
    _check_activity(values, today)
    _link_speaker(organization, values, values.get("date") or today)
    items = _clean_agenda(agenda)
    kind = values.get("kind", "")
    people = (
        list(attendees)
        if attendees is not None
        else list(expected_attendees(organization, kind, today=today))
    )
    if attendees is not None:
        _check_attendees(organization, people, values.get("date") or today, kind)
    vetted = _vet_photos(photos)
    with transaction.atomic():
        activity = core.create(
            Activity,
            by=by,
            audit_fields=["organization", *sorted(ACTIVITY_FIELDS)],
            organization=organization,
            created_by=account(by),
            **values,
        )
        _write_agenda(activity, items, first_is_study)
        status = AttendanceStatus.PRESENT if all_present else AttendanceStatus.ABSENT
        Attendance.objects.bulk_create(
            Attendance(activity=activity, person=p, status=status) for p in {p.pk: p for p in people}.values()
        )
        audit.record(
            audit.Kind.UPDATE,
            actor=by,
            obj=activity,
            changes={
                "agenda": [None, [(t, i == 0 and first_is_study) for i, t in enumerate(items)]],
                "attendees": [None, sorted({p.pk for p in people})],
                "status": [None, status],
            },
        )
        if then is not None:
            then(activity)
        for photo in vetted:  # last: a refusal above leaves no file behind
            _store_attachment(activity, photo, by)
    return activity


def _vet_photos(photos: Sequence[UploadedFile]) -> list[Vetted]:
    out = []
    for upload in photos:
        try:
            out.append(check_upload(upload))
        except ValidationError as exc:
            raise ValidationError({"photos": [f"“{upload.name}”：{m}" for m in exc.messages]}) from exc
    return out


def update_activity(
    activity: Activity,
    *,
    by: Actor,
    expected_version: int | None,
    agenda: Iterable[str] | None = None,
    first_is_study: bool | None = None,
    photos: Sequence[UploadedFile] = (),
    then: Callable[[Activity], None] | None = None,
    today: dt.date,
    **values: Any,
) -> Activity:
    """Change an activity (optimistic locking: a save over someone else's newer save raises ConflictError).
    The organisation of a recorded activity does not change: record it again under the right one. `photos` and
    `then` as in record_activity, in the edit's transaction."""
    ensure_can_change(by, activity.organization)
    unknown = set(values) - ACTIVITY_FIELDS
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    merged = {f: getattr(activity, f) for f in ACTIVITY_FIELDS} | values
    if "date" in values and values["date"] == activity.date:
        merged["date"] = None  # an old date stays valid; only a new one is checked against the future limit
    if values.get("kind", activity.kind) != activity.kind:
        _check_kind(activity.organization, values["kind"])
    _check_activity(merged, today)
    if activity.cancelled_at is not None:
        raise ValidationError("该活动已取消，不能再修改。")
    hooks.check_change(activity, values)  # e.g. directives: a new date not before a studied directive's issue
    vetted = _vet_photos(photos)
    if "duration_minutes" in values:
        values["duration_minutes"] = merged["duration_minutes"]
    if "speaker_name" in values and values["speaker_name"] != activity.speaker_name:
        values.setdefault("speaker", None)
        _link_speaker(activity.organization, values, values.get("date") or activity.date)
    with transaction.atomic():
        current = Activity.objects.select_for_update().get(pk=activity.pk)
        if expected_version is not None and current.version != expected_version:
            raise core.ConflictError(current)
        activity = core.update(activity, by=by, expected_version=expected_version, **values)
        if agenda is not None:
            items = _clean_agenda(agenda)
            study = bool(first_is_study)
            before = list(AgendaItem.objects.filter(activity=activity).values_list("title", "is_study"))
            after = [(t, i == 0 and study) for i, t in enumerate(items)]
            if before != after:
                _write_agenda(activity, items, study)
                if activity.version == current.version:  # the fields did not change: the agenda did
                    core.bump_version(activity)
                audit.record(
                    audit.Kind.UPDATE,
                    actor=by,
                    obj=activity,
                    changes={"agenda": [[list(b) for b in before], [list(a) for a in after]]},
                )
        if then is not None:
            then(activity)
        for photo in vetted:  # last: a refusal above leaves no file behind
            _store_attachment(activity, photo, by)
    return activity


def cancel_activity(activity: Activity, *, by: Actor, reason: str, now: dt.datetime) -> Activity:
    """Cancel or withdraw an activity (a meeting that did not take place, a record made in error). The record
    stays, marked 已取消 with who, when and why; it leaves the compliance counts and attendance rates, and what
    later apps attached to it reacts through hooks.register_on_cancel (directives removes its study links)."""
    ensure_can_change(by, activity.organization)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写取消原因（如：会议改期、误录）。"})
    if len(reason) > 200:
        raise ValidationError({"reason": "取消原因最多 200 字，请精简。"})
    with transaction.atomic():
        current = Activity.objects.select_for_update().get(pk=activity.pk)
        if current.cancelled_at is not None:
            raise ValidationError(
                f"该活动已于 {timezone.localtime(current.cancelled_at):%Y-%m-%d %H:%M} 取消，无需重复取消。"
            )
        user = account(by)
        core.bump_version(
            activity, expected=current.version, cancelled_at=now, cancelled_by=user, cancel_reason=reason
        )
        audit.record(
            audit.Kind.UPDATE,
            actor=by,
            obj=activity,
            changes={"cancelled_at": [None, now.isoformat()], "cancel_reason": ["", reason]},
        )
        hooks.run_on_cancel(activity, by)
    return activity


# --- Attendance -----------------------------------------------------------------------------------


def set_attendance(
    activity: Activity, *, by: Actor, person: Person, status: str, reason: str = ""
) -> Attendance:
    """Mark one expected attendee (or a member of the organisation, added on the way)."""
    return set_attendances(activity, by=by, entries=[(person, status, reason)])[0]


def set_attendances(
    activity: Activity, *, by: Actor, entries: Sequence[tuple[Person, str, str]]
) -> list[Attendance]:
    """Mark several people at once, all or nothing."""
    ensure_can_change(by, activity.organization)
    for person, status, reason in entries:
        if status not in AttendanceStatus.values:
            raise ValidationError({"status": f"{person.name} 的出席情况无效，请选择出席、缺席或请假。"})
        if status == AttendanceStatus.LEAVE and not reason.strip():
            raise ValidationError({"reason": f"{person.name} 请假，请填写请假原因。"})
    existing = {a.person_id: a for a in Attendance.objects.filter(activity=activity)}
    newcomers = [p for p, _, _ in entries if p.pk not in existing]
    if newcomers:
        _check_attendees(activity.organization, newcomers, activity.date, activity.kind)
    out = []
    with transaction.atomic():
        for person, status, reason in entries:
            row = existing.get(person.pk)
            reason = reason.strip()[:200] if status != AttendanceStatus.PRESENT else ""
            if row is None:
                out.append(
                    core.create(
                        Attendance, by=by, activity=activity, person=person, status=status, reason=reason
                    )
                )
            elif (row.status, row.reason) != (status, reason):
                out.append(core.update(row, by=by, status=status, reason=reason))
            else:
                out.append(row)
    return out


def add_guest(
    activity: Activity, *, by: Actor, person: Person, guest_kind: str, status: str = AttendanceStatus.PRESENT
) -> Attendance:
    """Record a 列席 guest: a 党外 leadership member, a committee observer (列席旁听), or another guest."""
    ensure_can_change(by, activity.organization)
    if guest_kind not in GuestKind.values:
        raise ValidationError({"guest_kind": "请选择列席类别。"})
    if guest_kind == GuestKind.NON_PARTY_LEADER and person.party_status in PARTY_MEMBER_STATUSES:
        raise ValidationError(
            {"guest_kind": f"{person.name} 是中共党员，不能登记为“党外领导班子成员”，请选择其他列席类别。"}
        )
    if Attendance.objects.filter(activity=activity, person=person).exists():
        raise ValidationError({"person": f"{person.name} 已在本次活动的出席名单中，无需重复添加。"})
    return core.create(
        Attendance,
        by=by,
        activity=activity,
        person=person,
        status=status,
        is_guest=True,
        guest_kind=guest_kind,
    )


# --- QR sign-in -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    attendance: Attendance
    already: bool

    @property
    def message(self) -> str:
        at = timezone.localtime(self.attendance.signed_in_at) if self.attendance.signed_in_at else None
        if self.already:
            return f"您已签到{f'（{at:%H:%M}）' if at else ''}，无需重复签到。"
        return f"签到成功{f'（{at:%H:%M}）' if at else ''}。"


def sign_in_window(activity: Activity) -> tuple[dt.datetime, dt.datetime]:
    """From SIGN_IN_OPENS_BEFORE the start (midnight when no start time) to the end of the activity's day."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(activity.date, activity.start_time or dt.time.min, tzinfo=tz)
    if activity.start_time:
        start -= SIGN_IN_OPENS_BEFORE
    end = dt.datetime.combine(activity.date + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def qr_sign_in(activity: Activity, person: Person, at: dt.datetime) -> SignIn:
    """A member confirms presence by scanning the activity's QR code. Idempotent: a second scan returns the
    existing row (`already`); concurrent scans leave exactly one row."""
    if activity.cancelled_at is not None:
        raise ValidationError("本次活动已取消，无需签到。")
    opens, closes = sign_in_window(activity)
    if at < opens:
        raise ValidationError(
            f"签到尚未开始：本次活动 {timezone.localtime(opens):%m月%d日 %H:%M} 起可以签到。"
        )
    if at >= closes:
        raise ValidationError("签到已结束：活动当天结束后不能再扫码签到，如有出席请联系支部书记补登。")
    with transaction.atomic():
        row = Attendance.objects.select_for_update().filter(activity=activity, person=person).first()
        if row is None and not _is_member(activity.organization, person, activity.date):
            raise ValidationError(
                f"您不是本次活动的应到人员，也不是“{activity.organization.name}”的成员，无法签到。"
                "如为列席，请联系活动组织者登记。"
            )
        if row is not None and row.status == AttendanceStatus.PRESENT and row.signed_in_at:
            return SignIn(row, already=True)
        if row is None:
            try:
                with transaction.atomic():
                    # At a Party meeting a member of the organisation who is not a Party member is a 列席 guest.
                    guest = (
                        activity.kind in PARTY_ONLY_KINDS and person.party_status not in PARTY_MEMBER_STATUSES
                    )
                    row = Attendance.objects.create(
                        activity=activity,
                        person=person,
                        status=AttendanceStatus.PRESENT,
                        signed_in_at=at,
                        via_qr=True,
                        is_guest=guest,
                        guest_kind=GuestKind.OTHER if guest else "",
                    )
            except IntegrityError:  # a concurrent scan of the same person won the race
                return SignIn(Attendance.objects.get(activity=activity, person=person), already=True)
            before: dict[str, Any] = {}
        else:
            before = audit.snapshot(row, ["status", "reason", "signed_in_at", "via_qr"])
            row.status, row.reason, row.signed_in_at, row.via_qr = AttendanceStatus.PRESENT, "", at, True
            row.save(update_fields=["status", "reason", "signed_in_at", "via_qr"])
        audit.record(
            audit.Kind.UPDATE if before else audit.Kind.CREATE,
            actor=person.user,
            obj=row,
            changes=audit.diff(before, audit.snapshot(row, ["status", "reason", "signed_in_at", "via_qr"])),
        )
    return SignIn(row, already=False)


# --- Attachments ----------------------------------------------------------------------------------


def check_upload(upload: UploadedFile) -> Vetted:
    """The checked, cleaned upload (core.attachments.vet); a clear Chinese error for anything else."""
    return vet(upload)


def add_attachment(activity: Activity, *, by: Actor, upload: UploadedFile) -> Attachment:
    ensure_can_change(by, activity.organization)
    vetted = check_upload(upload)
    with transaction.atomic():
        return _store_attachment(activity, vetted, by)


def _store_attachment(activity: Activity, vetted: Vetted, by: Actor) -> Attachment:
    """Store a checked upload and audit it; the caller holds the transaction."""
    attachment = Attachment(
        activity=activity,
        original_name=vetted.original_name,
        content_type=vetted.content_type,
        size=vetted.size,
        uploaded_by=account(by),
    )
    attachment.file.save(vetted.storage_name, vetted.content(), save=False)
    try:
        attachment.save()
        audit.record(
            audit.Kind.CREATE,
            actor=by,
            obj=attachment,
            changes={"file": [None, attachment.original_name], "size": [None, attachment.size]},
        )
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def delete_attachment(attachment: Attachment, *, by: Actor) -> None:
    ensure_can_change(by, attachment.activity.organization)
    storage, name = attachment.file.storage, attachment.file.name
    core.delete(attachment, by=by)
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- Norms ----------------------------------------------------------------------------------------


def _check_norm(values: dict[str, Any]) -> None:
    count = values.get("min_count")
    if count is not None and (not isinstance(count, int) or count < 1):
        raise ValidationError({"min_count": "“至少（次）”必须是不小于 1 的整数。"})


def create_norm(*, by: Actor, **values: Any) -> Norm:
    policy.ensure_can_edit_norms(by)
    _check_norm(values)
    return core.create(Norm, by=by, **values)


def update_norm(norm: Norm, *, by: Actor, expected_version: int | None = None, **values: Any) -> Norm:
    policy.ensure_can_edit_norms(by)
    _check_norm(values)
    return core.update(norm, by=by, expected_version=expected_version, **values)
