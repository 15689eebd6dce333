"""Pages of the orgs app, one module per topic: organisations (the tree, organisation and person pages and forms, posts), accounts (账号与授权) and xlsx (import and export)."""

from __future__ import annotations

from zhixing.orgs.views.organisations import (
    MEMBERS_PAGE_SIZE,
    ORGS_PAGE_SIZE,
    PEOPLE_PAGE_SIZE,
    CheapPage,
    attach_member_counts,
    home_roles,
    org_children,
    org_create,
    org_detail,
    org_edit,
    org_tree,
    person_create,
    person_detail,
    person_edit,
    person_list,
    post_add,
    post_end,
    with_tree_info,
)

__all__ = [
    "CheapPage",
    "MEMBERS_PAGE_SIZE",
    "ORGS_PAGE_SIZE",
    "PEOPLE_PAGE_SIZE",
    "attach_member_counts",
    "home_roles",
    "org_children",
    "org_create",
    "org_detail",
    "org_edit",
    "org_tree",
    "person_create",
    "person_detail",
    "person_edit",
    "person_list",
    "post_add",
    "post_end",
    "with_tree_info",
]
