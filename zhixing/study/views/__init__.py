"""Study pages, one module per topic: activities (activities, attendance, attachments, QR sign-in, norms), compliance, plans, reports."""

from __future__ import annotations

from zhixing.study.views.activities import (
    activity_cancel,
    activity_create,
    activity_detail,
    activity_edit,
    activity_list,
    attachment_download,
    attachment_upload,
    attendance_edit,
    guest_add,
    norm_edit,
    norm_list,
    sign_in,
)

__all__ = [
    "activity_cancel",
    "activity_create",
    "activity_detail",
    "activity_edit",
    "activity_list",
    "attachment_download",
    "attachment_upload",
    "attendance_edit",
    "guest_add",
    "norm_edit",
    "norm_list",
    "sign_in",
]
