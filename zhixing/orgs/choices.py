"""Choices of the orgs app, in one place, with the Chinese labels the UI shows."""

from __future__ import annotations

from django.db import models


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", "机关工委"
    DEPT_GROUP = "dept_group", "部门党组（党委）"
    ORGAN_COMMITTEE = "organ_committee", "机关党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    GROUP = "group", "党小组"
    MASS_ORG = "mass_org", "群团组织"


# Which kinds may sit under which: the tree of DESIGN.md.
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    OrgKind.COMMITTEE: {None},
    OrgKind.DEPT_GROUP: {OrgKind.COMMITTEE},
    OrgKind.ORGAN_COMMITTEE: {OrgKind.DEPT_GROUP},
    OrgKind.GENERAL_BRANCH: {OrgKind.ORGAN_COMMITTEE, OrgKind.DEPT_GROUP},
    OrgKind.BRANCH: {OrgKind.ORGAN_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.DEPT_GROUP},
    OrgKind.GROUP: {OrgKind.BRANCH},
    OrgKind.MASS_ORG: {OrgKind.DEPT_GROUP, OrgKind.ORGAN_COMMITTEE, OrgKind.COMMITTEE},
}

# Kinds a person can belong to as a member (their 支部).
MEMBER_KINDS = {
    OrgKind.GENERAL_BRANCH,
    OrgKind.BRANCH,
    OrgKind.GROUP,
    OrgKind.ORGAN_COMMITTEE,
    OrgKind.COMMITTEE,
    OrgKind.DEPT_GROUP,
}


class LevelType(models.TextChoices):
    ORGAN = "organ", "机关"
    GRASSROOTS = "grassroots", "基层"


class AreaType(models.TextChoices):
    URBAN = "urban", "城市"
    RURAL = "rural", "乡村"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class PartyStatus(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"
    MASSES = "masses", "群众"
    DEMOCRATIC = "democratic", "民主党派"
    NON_PARTY = "non_party", "无党派"


PARTY_MEMBER_STATUSES = {PartyStatus.FULL, PartyStatus.PROBATIONARY}


class WorkStatus(models.TextChoices):
    ACTIVE = "active", "在职"
    RETIRED = "retired", "退休"


class PostTitle(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    ORGANISATION = "organisation", "组织委员"
    PUBLICITY = "publicity", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    STUDY_GROUP = "study_group", "中心组成员"
    LEADERSHIP = "leadership", "领导班子成员"


class Role(models.TextChoices):
    COMMITTEE_ADMIN = "committee_admin", "机关工委管理员"
    DEPT_ADMIN = "dept_admin", "部门管理员"
    BRANCH_ADMIN = "branch_admin", "支部管理员"
    MEMBER = "member", "党员"
    AUDITOR = "auditor", "审计员"


ADMIN_ROLES = {Role.COMMITTEE_ADMIN, Role.DEPT_ADMIN, Role.BRANCH_ADMIN}
