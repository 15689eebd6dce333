"""Who may open the insights pages: the only place these rules are written, read by the views and by the menu
(core.nav's `visible`), so the menu never links to a page that answers 404 for the person who sees the link.

From the user's grants, no query needed:
- 党建报表 (the department's year report and the committee's summary): a view scope over a whole department (a
  depth-2 path, "/root/dept/") or above; a branch secretary or a member, whose scope starts below a department,
  has no department to report on.
"""

from __future__ import annotations

from typing import Any

from zhixing.core.scoping import Action, scope_for
from zhixing.core.tree import path_ids


def can_view_reports(user: Any) -> bool:
    scope = scope_for(user, Action.VIEW)
    return scope.everything or any(len(path_ids(prefix)) <= 2 for prefix in scope.prefixes)
