"""Serving a stored upload (core.models.StoredFile) to someone the view has already let see it."""

from __future__ import annotations

from django.http import FileResponse, Http404

from zhixing.core.models import StoredFile

NOT_FOUND = "没有找到该文件，或您无权查看。"


def serve(stored: StoredFile | None) -> FileResponse:
    """The file inline when a browser shows it (photos, PDFs), as a download otherwise, under its original name.
    None (not found, or out of the viewer's scope) and a file gone from the disk are both 404."""
    if stored is None:
        raise Http404(NOT_FOUND)
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件已不在服务器上，请联系管理员从备份中恢复。") from exc
    return FileResponse(
        handle,
        content_type=stored.content_type,
        as_attachment=not stored.opens_in_browser,
        filename=stored.original_name,
    )
