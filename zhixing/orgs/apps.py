from __future__ import annotations

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "zhixing.orgs"
    label = "orgs"
    verbose_name = "组织与人员"

    def ready(self) -> None:
        from zhixing.core import duties, home, scoping
        from zhixing.orgs import views
        from zhixing.orgs.scope import committee_admins, grant_duties, resolve_scope

        scoping.register_resolver(resolve_scope)
        scoping.register_committee_admins(committee_admins)
        duties.register_source(grant_duties)
        home.register("orgs/home_roles.html", views.home_roles, order=0)  # first: who the user is here

        from zhixing.core.nav import register

        register("组织", "org_tree", icon="diagram-3", order=10, section="组织人员")
        register("党员干部", "person_list", icon="people", order=20, section="组织人员")
        register("账号授权", "accounts", icon="key", order=70, action=scoping.Action.CHANGE, section="系统")
        register(
            "导入导出",
            "io_home",
            icon="file-earmark-spreadsheet",
            order=30,
            action=scoping.Action.CHANGE,
            section="组织人员",
        )
