"""API of organisations and people: list (filters, paging), detail, create, update — all scoped.

Reads go through `restrict(<caller>)`; objects to change are fetched with `Action.CHANGE`, so that a record
outside the caller's scope is 404 exactly as if it did not exist. Writes go through zhixing.orgs.services (the
same functions the pages use), which check the change scope of the target organisation again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from zhixing.core import audit, clock, personal
from zhixing.core.actors import Actor
from zhixing.core.api import (
    ERROR_RESPONSES,
    WRITE_ERROR_RESPONSES,
    InputSchema,
    LimitOffset,
    api_user,
    paged,
    plain,
    refuse_nulls,
    renamed_fields,
)
from zhixing.core.scoping import Action, get_or_404
from zhixing.core.services import ConflictError
from zhixing.orgs import services
from zhixing.orgs.choices import AreaType, Gender, LevelType, OrgKind, PartyStatus, WorkStatus
from zhixing.orgs.filters import OrgFilterForm, PeopleFilterForm
from zhixing.orgs.masking import shown_id_number, shown_mobile
from zhixing.orgs.models import Organization, Person
from zhixing.orgs.policy import can_see_sensitive

router = Router(tags=["组织与人员"])

VERSION_HELP = "读取时的版本号（乐观锁）：提交后若他人已先保存，返回 409 且不修改。不提交则不检查。"


def _changeable_org(user: Actor, pk: int, *, field: str, what: str) -> Organization:
    """An organisation the caller may write into, looked up through their change scope."""
    org = Organization.objects.restrict(user, Action.CHANGE).filter(pk=pk).first()
    if org is None:
        raise ValidationError({field: f"{what}（编号 {pk}）不存在，或不在您的管理范围内。"})
    return org


def _form_filter(form_class: Any, filters: Schema, qs: QuerySet[Any], user: Actor) -> QuerySet[Any]:
    data = plain(filters.model_dump(exclude_none=True))
    form = form_class(data=data)
    if not form.is_valid():
        raise ValidationError(form.errors)
    result: QuerySet[Any] = form.filter(qs, user)
    return result


# --- Organisations --------------------------------------------------------------------------------


class OrgOut(Schema):
    id: int = Field(description="组织编号")
    code: str = Field(description="组织编码")
    name: str = Field(description="组织名称")
    short_name: str = Field(description="简称")
    kind: str = Field(description="组织类型代码")
    kind_label: str = Field(description="组织类型")
    parent_id: int | None = Field(description="上级组织编号；根组织为 null")
    path: str = Field(description="物化路径（各级组织编号，如 /1/7/42/）")
    depth: int = Field(description="层级，根组织为 0")
    level_type: str = Field(description="机关/基层代码")
    level_type_label: str = Field(description="机关/基层")
    area_type: str = Field(description="城市/乡村代码")
    area_type_label: str = Field(description="城市/乡村")
    sort_order: int = Field(description="排序")
    is_active: bool = Field(description="是否有效")
    version: int = Field(description="版本号，修改时用于乐观锁")

    @staticmethod
    def resolve_kind_label(org: Organization) -> str:
        return str(OrgKind(org.kind).label)

    @staticmethod
    def resolve_level_type_label(org: Organization) -> str:
        return str(LevelType(org.level_type).label)

    @staticmethod
    def resolve_area_type_label(org: Organization) -> str:
        return str(AreaType(org.area_type).label)


class OrgQuery(Schema):
    q: str | None = Field(None, max_length=50, description="名称（包含）或编码（完全一致）")
    kind: OrgKind | None = Field(None, description="组织类型")
    under: int | None = Field(None, description="只看该组织及其下级（组织编号）")
    level_type: LevelType | None = Field(None, description="机关/基层")
    area_type: AreaType | None = Field(None, description="城市/乡村")


class OrgIn(InputSchema):
    code: str = Field(max_length=40, description="组织编码，唯一；字母、数字、下划线、短横线和点")
    name: str = Field(max_length=100, description="组织名称")
    short_name: str = Field("", max_length=40, description="简称")
    kind: OrgKind = Field(description="组织类型")
    parent_id: int | None = Field(
        None, description="上级组织编号（须在您的管理范围内）；仅系统管理员可建根组织"
    )
    level_type: LevelType = Field(LevelType.ORGAN, description="机关/基层")
    area_type: AreaType = Field(AreaType.URBAN, description="城市/乡村")
    sort_order: int = Field(0, description="排序")
    is_active: bool = Field(True, description="是否有效")


class OrgPatch(InputSchema):
    code: str | None = Field(None, max_length=40, description="组织编码")
    name: str | None = Field(None, max_length=100, description="组织名称")
    short_name: str | None = Field(None, max_length=40, description="简称")
    kind: OrgKind | None = Field(None, description="组织类型")
    parent_id: int | None = Field(None, description="新的上级组织编号：整棵子树随之移动")
    level_type: LevelType | None = Field(None, description="机关/基层")
    area_type: AreaType | None = Field(None, description="城市/乡村")
    sort_order: int | None = Field(None, description="排序")
    is_active: bool | None = Field(None, description="是否有效")
    version: int | None = Field(None, description=VERSION_HELP)


ORG_NOT_NULL = ("code", "name", "short_name", "kind", "level_type", "area_type", "sort_order", "is_active")


@router.get("/orgs", response={200: list[OrgOut], **ERROR_RESPONSES}, summary="组织列表")
@paged()
def list_orgs(request: HttpRequest, filters: Query[OrgQuery]) -> QuerySet[Organization]:
    """您范围内的组织，按树的顺序；可按名称/编码、类型、上级组织（含下级）、机关/基层、城市/乡村筛选。"""
    user = api_user(request)
    return _form_filter(OrgFilterForm, filters, Organization.objects.restrict(user), user)


@router.get("/orgs/{org_id}", response={200: OrgOut, **ERROR_RESPONSES}, summary="组织详情")
def get_org(request: HttpRequest, org_id: int) -> Organization:
    return get_or_404(Organization, api_user(request), Action.VIEW, pk=org_id)


@router.post("/orgs", response={201: OrgOut, **WRITE_ERROR_RESPONSES}, summary="新建组织")
def create_org(request: HttpRequest, payload: OrgIn) -> Status[Organization]:
    """上级组织须在您的管理范围内，且类型符合组织树（如党支部的上级为机关党委、党总支或部门党组）。"""
    user = api_user(request)
    values = plain(payload.model_dump())
    with renamed_fields({"parent": "parent_id"}):
        parent_id = values.pop("parent_id")
        parent = (
            None
            if parent_id is None
            else _changeable_org(user, parent_id, field="parent_id", what="上级组织")
        )
        org = services.create_organization(by=user, parent=parent, **values)
    return Status(201, org)


@router.patch("/orgs/{org_id}", response={200: OrgOut, **WRITE_ERROR_RESPONSES}, summary="修改组织")
def update_org(request: HttpRequest, org_id: int, payload: OrgPatch) -> Organization:
    """只提交要修改的字段。提交 parent_id 会移动整棵子树。"""
    user = api_user(request)
    org = get_or_404(Organization, user, Action.CHANGE, pk=org_id)
    values = plain(payload.model_dump(exclude_unset=True))
    version = values.pop("version", None)
    refuse_nulls(values, ORG_NOT_NULL)
    if version is not None and version != org.version:
        raise ConflictError(org)
    with renamed_fields({"parent": "parent_id"}):
        if "parent_id" in values:
            parent_id = values.pop("parent_id")
            values["parent"] = (
                None
                if parent_id is None
                else _changeable_org(user, parent_id, field="parent_id", what="上级组织")
            )
        return services.update_organization(org, by=user, expected_version=version, **values)


# --- People ---------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int = Field(description="人员编号")
    name: str = Field(description="姓名")
    name_pinyin: str = Field(description="姓名全拼")
    name_initials: str = Field(description="姓名拼音首字母")
    gender: str = Field(description="性别代码：M 男，F 女")
    gender_label: str = Field(description="性别")
    birth_date: dt.date | None = Field(description="出生日期")
    id_number: str = Field(description="身份证号；无权查看时为脱敏值（如 110***********002X）")
    mobile: str = Field(description="手机号；无权查看时为脱敏值（如 138****0001）")
    sensitive_masked: bool = Field(description="身份证号和手机号是否已脱敏")
    party_status: str = Field(description="政治面貌代码")
    party_status_label: str = Field(description="政治面貌")
    work_status: str = Field(description="在职状态代码")
    work_status_label: str = Field(description="在职状态")
    branch_id: int = Field(description="所在支部编号")
    branch_name: str = Field(description="所在支部名称")
    join_date: dt.date | None = Field(description="入党日期")
    job_title: str = Field(description="职务")
    is_active: bool = Field(description="是否有效")
    version: int = Field(description="版本号，修改时用于乐观锁")

    # Who sees the raw values is orgs.masking's rule (the masks are core.personal's); the caller is the request's.
    @staticmethod
    def resolve_id_number(person: Person, context: dict[str, Any]) -> str:
        return shown_id_number(api_user(context["request"]), person)

    @staticmethod
    def resolve_mobile(person: Person, context: dict[str, Any]) -> str:
        return shown_mobile(api_user(context["request"]), person)

    @staticmethod
    def resolve_sensitive_masked(person: Person, context: dict[str, Any]) -> bool:
        return not can_see_sensitive(api_user(context["request"]), person)

    @staticmethod
    def resolve_gender_label(person: Person) -> str:
        return str(Gender(person.gender).label)

    @staticmethod
    def resolve_party_status_label(person: Person) -> str:
        return str(PartyStatus(person.party_status).label)

    @staticmethod
    def resolve_work_status_label(person: Person) -> str:
        return str(WorkStatus(person.work_status).label)

    @staticmethod
    def resolve_branch_name(person: Person) -> str:
        return person.branch.name


class PersonQuery(Schema):
    q: str | None = Field(
        None, max_length=50, description="姓名（包含）或拼音首字母/全拼前缀，如 zs 找到张三"
    )
    org: int | None = Field(None, description="只看该组织及其下级的人员（组织编号）")
    party_status: PartyStatus | None = Field(None, description="政治面貌")
    work_status: WorkStatus | None = Field(None, description="在职状态")
    gender: Gender | None = Field(None, description="性别")


class PersonIn(InputSchema):
    name: str = Field(max_length=50, description="姓名")
    gender: Gender | None = Field(None, description="性别；不填时由身份证号推出")
    birth_date: dt.date | None = Field(None, description="出生日期 YYYY-MM-DD；不填时由身份证号推出")
    id_number: str | None = Field(None, max_length=18, description="18 位身份证号（校验位会检查）")
    mobile: str = Field("", max_length=11, description="11 位手机号")
    party_status: PartyStatus = Field(PartyStatus.FULL, description="政治面貌")
    work_status: WorkStatus = Field(WorkStatus.ACTIVE, description="在职状态")
    branch_id: int = Field(description="所在支部编号（须在您的管理范围内）")
    join_date: dt.date | None = Field(None, description="入党日期 YYYY-MM-DD")
    job_title: str = Field("", max_length=60, description="职务")
    is_active: bool = Field(True, description="是否有效")


class PersonPatch(InputSchema):
    name: str | None = Field(None, max_length=50, description="姓名")
    gender: Gender | None = Field(None, description="性别")
    birth_date: dt.date | None = Field(None, description="出生日期；null 表示清空")
    id_number: str | None = Field(None, max_length=18, description="身份证号；null 或空串表示清空")
    mobile: str | None = Field(None, max_length=11, description="手机号；null 或空串表示清空")
    party_status: PartyStatus | None = Field(None, description="政治面貌")
    work_status: WorkStatus | None = Field(None, description="在职状态")
    branch_id: int | None = Field(None, description="调往的支部编号（须在您的管理范围内）")
    join_date: dt.date | None = Field(None, description="入党日期；null 表示清空")
    job_title: str | None = Field(None, max_length=60, description="职务")
    is_active: bool | None = Field(None, description="是否有效")
    version: int | None = Field(None, description=VERSION_HELP)


PERSON_NOT_NULL = ("name", "gender", "party_status", "work_status", "branch_id", "job_title", "is_active")


class AuditedPeoplePage(LimitOffset):
    """A page of people that shows someone else's raw 身份证号 or mobile leaves a read event (core.personal)."""

    def after_page(self, request: HttpRequest, rows: list[Any]) -> None:
        user = api_user(request)
        own = _own_person_id(user)
        unmasked = sum(
            1 for p in rows if (p.id_number or p.mobile) and p.pk != own and can_see_sensitive(user, p)
        )
        if unmasked:
            personal.record_access(
                audit.Kind.READ,
                by=user,
                what="人员列表（API）",
                rows=len(rows),
                unmasked=unmasked,
                filters=request.GET.dict(),
                ip=request.META.get("REMOTE_ADDR"),
            )


@router.get("/people", response={200: list[PersonOut], **ERROR_RESPONSES}, summary="人员列表")
@paged(AuditedPeoplePage)
def list_people(request: HttpRequest, filters: Query[PersonQuery]) -> QuerySet[Person]:
    """您范围内的人员；可按姓名或拼音首字母、组织（含下级）、政治面貌、在职状态、性别筛选。"""
    user = api_user(request)
    scoped = Person.objects.restrict(user).select_related("branch")
    return _form_filter(PeopleFilterForm, filters, scoped, user)


def _own_person_id(user: Any) -> int | None:
    return Person.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()


@router.get("/people/{person_id}", response={200: PersonOut, **ERROR_RESPONSES}, summary="人员详情")
def get_person(request: HttpRequest, person_id: int) -> Person:
    user = api_user(request)
    person = get_or_404(Person.objects.select_related("branch"), user, Action.VIEW, pk=person_id)
    if (person.id_number or person.mobile) and person.user_id != user.pk and can_see_sensitive(user, person):
        personal.record_access(
            audit.Kind.READ,
            by=user,
            what=f"人员详情（API）：{person.name}",
            rows=1,
            unmasked=1,
            obj=person,
            ip=request.META.get("REMOTE_ADDR"),
        )
    return person


@router.post("/people", response={201: PersonOut, **WRITE_ERROR_RESPONSES}, summary="新建人员")
def create_person(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    user = api_user(request)
    values = plain(payload.model_dump())
    values["gender"] = values["gender"] or ""
    with renamed_fields({"branch": "branch_id"}):
        branch = _changeable_org(user, values.pop("branch_id"), field="branch_id", what="所在支部")
        person = services.create_person(by=user, branch=branch, today=clock.today(), **values)
    return Status(201, person)


@router.patch("/people/{person_id}", response={200: PersonOut, **WRITE_ERROR_RESPONSES}, summary="修改人员")
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> Person:
    """只提交要修改的字段。提交 branch_id 即调动支部（新支部也须在您的管理范围内）。"""
    user = api_user(request)
    person = get_or_404(Person.objects.select_related("branch"), user, Action.CHANGE, pk=person_id)
    values = plain(payload.model_dump(exclude_unset=True))
    version = values.pop("version", None)
    refuse_nulls(values, PERSON_NOT_NULL)
    if "mobile" in values:
        values["mobile"] = values["mobile"] or ""
    with renamed_fields({"branch": "branch_id"}):
        if "branch_id" in values:
            values["branch"] = _changeable_org(
                user, values.pop("branch_id"), field="branch_id", what="所在支部"
            )
        person = services.update_person(
            person, by=user, today=clock.today(), expected_version=version, **values
        )
    return Person.objects.select_related("branch").get(pk=person.pk)
