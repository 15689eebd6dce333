from __future__ import annotations

from django.db import models


class DirectiveKind(models.TextChoices):
    SPEECH = "speech", "重要讲话"
    INSTRUCTION = "instruction", "重要指示"
    COMMENT = "comment", "批示"
    ARTICLE = "article", "重要文章"
    MEETING = "meeting", "会议精神"


class ModuleEntryStatus(models.TextChoices):
    SUGGESTED = "suggested", "待确认"
    CONFIRMED = "confirmed", "已纳入"
    REJECTED = "rejected", "不相关"


# The first study of a directive is due this many working days after it is issued, unless the directive says otherwise.
DEFAULT_FIRST_STUDY_WORKING_DAYS = 5
MAX_TEXT_LENGTH = 200_000


# --- The first-time board (第一时间) -----------------------------------------------------------------

# The organisations that must study a directive in scope: the ones that hold study meetings of their own —
# 部门党组（党委）, 机关党委, 党总支 and 党支部. 党小组 study as part of their branch and 群团组织 are not Party
# organisations, so neither is listed on the board (an activity of a 党小组 still counts for the 党小组 itself).
STUDY_ORG_KINDS = ("dept_group", "organ_committee", "general_branch", "branch")


class StudyStatus(models.TextChoices):
    ON_TIME = "on_time", "按时学习"
    LATE = "late", "逾期学习"
    PENDING = "pending", "尚未学习"
    OVERDUE = "overdue", "逾期未学"


# --- 第一议题 -----------------------------------------------------------------------------------------

# The decision-making meetings whose first agenda item must be the study of the latest directive: the 部门党组's
# 党组会议, the 党委会议 (a department led by a 党委, a 机关党委) and the branches' 支部委员会会议.
DECISION_MEETING_KINDS = ("party_group_meeting", "party_committee_meeting", "branch_committee")

# 第一责任: lectures the 一把手 gives (专题党课, 辅导讲学).
LEADER_LECTURE_KINDS = ("themed_lecture", "tutorial")
