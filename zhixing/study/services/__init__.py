"""Every write of the study app, one module per topic: activities (activities, agendas, attendance, QR sign-in, attachments, norms) and plans."""

from __future__ import annotations

from zhixing.study.services.activities import (
    ACTIVITY_FIELDS,
    SignIn,
    add_attachment,
    add_guest,
    cancel_activity,
    check_upload,
    create_norm,
    delete_attachment,
    expected_attendees,
    members,
    qr_sign_in,
    record_activity,
    set_attendance,
    set_attendances,
    sign_in_window,
    update_activity,
    update_norm,
)

__all__ = [
    "ACTIVITY_FIELDS",
    "SignIn",
    "add_attachment",
    "add_guest",
    "cancel_activity",
    "check_upload",
    "create_norm",
    "delete_attachment",
    "expected_attendees",
    "members",
    "qr_sign_in",
    "record_activity",
    "set_attendance",
    "set_attendances",
    "sign_in_window",
    "update_activity",
    "update_norm",
]
