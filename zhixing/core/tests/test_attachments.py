"""Attachments are checked by content, cleaned of metadata and stored under random names (core/attachments.py)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from zhixing.core.attachments import vet
from zhixing.testing import pdf_bytes, png_bytes

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _photo_with_gps(orientation: int = 1) -> bytes:
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"  # Make
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"secret comment")
    return out.getvalue()


def _refused(name: str, data: bytes) -> str:
    with pytest.raises(ValidationError) as exc:
        vet(SimpleUploadedFile(name, data))
    return " ".join(exc.value.message_dict["file"])


def test_photo_metadata_and_gps_are_stripped_and_orientation_applied() -> None:
    raw = _photo_with_gps(orientation=6)  # "rotate 90° clockwise to view"
    with Image.open(io.BytesIO(raw)) as before:
        assert before.getexif().get_ifd(GPS_IFD)
    vetted = vet(SimpleUploadedFile("现场.jpg", raw))
    assert vetted.content_type == "image/jpeg"
    with Image.open(io.BytesIO(vetted.data)) as after:
        exif = after.getexif()
        assert not exif.get_ifd(GPS_IFD) and ORIENTATION not in exif and len(exif) == 0
        assert "exif" not in after.info and "comment" not in after.info
        assert after.size == (20, 40)  # the pixels are turned upright instead
    assert b"Phone maker" not in vetted.data and b"secret comment" not in vetted.data


def test_png_text_chunks_are_stripped() -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "someone@example")
    out = io.BytesIO()
    Image.new("RGB", (3, 3)).save(out, "PNG", pnginfo=info)
    vetted = vet(SimpleUploadedFile("图.png", out.getvalue()))
    assert b"someone@example" not in vetted.data


def test_fake_png_with_valid_magic_is_refused() -> None:
    message = _refused("合影.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert "不是完整有效的图片" in message
    truncated = png_bytes((50, 50))[:-30]
    assert "不是完整有效的图片" in _refused("截断.png", truncated)
    assert "不是完整有效的图片" in _refused("假.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 20)


def _pdf_with(build: object) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    build(writer)  # type: ignore[operator]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _js_action(code: str) -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(code),
        }
    )


def _add_document_js(writer: PdfWriter, code: str) -> None:
    """A document-level script in the /Names /JavaScript name tree (what add_js did before pypdf 7)."""
    from pypdf.generic import ArrayObject

    tree = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(_js_action(code))])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda w: _add_document_js(w, "app.alert('x');"), id="document-javascript"),
        pytest.param(
            lambda w: w._root_object.__setitem__(NameObject("/OpenAction"), w._add_object(_js_action("1"))),
            id="openaction-js",
        ),
        pytest.param(
            lambda w: w.pages[0].__setitem__(
                NameObject("/AA"), DictionaryObject({NameObject("/O"): _js_action("2")})
            ),
            id="page-additional-action",
        ),
        pytest.param(
            lambda w: w._root_object.__setitem__(
                NameObject("/OpenAction"),
                DictionaryObject(
                    {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
                ),
            ),
            id="launch",
        ),
    ],
)
def test_pdf_with_scripts_or_actions_is_refused(build: object) -> None:
    message = _refused("会议记录.pdf", _pdf_with(build))
    assert "含有脚本或自动执行的动作" in message and "重新生成" in message


def test_pdf_with_javascript_in_an_object_stream_is_refused() -> None:
    """The script sits in a compressed object stream (PDF 1.5), where a plain byte scan cannot see it."""
    import zlib

    action = b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>"
    header = b"5 0 "
    stream = zlib.compress(header + action)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(stream))
        + stream
        + b"\nendstream",
    ]
    body = b"%PDF-1.7\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref_at = len(body)
    rows = [(1, 0, 65535)] + [(1, off, 0) for off in offsets] + [(2, 4, 0)]  # object 5: in stream 4, index 0
    import struct

    data = b"".join(
        struct.pack(">BIH", t, a, b) if t != 1 or i else struct.pack(">BIH", 0, 0, 65535)
        for i, (t, a, b) in enumerate(rows)
    )
    xref = (
        b"<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(data)
        + data
        + b"\nendstream"
    )
    body += b"6 0 obj\n" + xref + b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    assert b"JavaScript" not in body
    assert "含有脚本" in _refused("a.pdf", body)


def test_clean_pdf_is_kept_byte_for_byte() -> None:
    raw = pdf_bytes()
    vetted = vet(SimpleUploadedFile("通知.PDF", raw))
    assert (
        vetted.data == raw
        and vetted.content_type == "application/pdf"
        and vetted.storage_name == "upload.pdf"
    )


def test_broken_pdf_is_refused() -> None:
    assert "不是有效的 PDF" in _refused("坏.pdf", b"%PDF-1.7\n" + b"x" * 64)


def test_size_limits_per_kind(settings: object) -> None:
    settings.ZHIXING_MAX_IMAGE_MB = 0.001  # type: ignore[attr-defined]
    settings.ZHIXING_MAX_PDF_MB = 1  # type: ignore[attr-defined]
    assert "太大" in _refused("大.png", png_bytes((200, 200), (1, 2, 3)) + b"\x00" * 2048)
    assert vet(SimpleUploadedFile("小.pdf", pdf_bytes())).size > 0


def test_stored_under_a_random_name_original_kept_for_display(
    world: object, settings: object, tmp_path: object
) -> None:
    from zhixing.study.models import Attachment
    from zhixing.study.services import add_attachment
    from zhixing.study.tests.test_services import make_activity

    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    activity = make_activity(world)  # type: ignore[arg-type]
    first = add_attachment(activity, by=None, upload=SimpleUploadedFile("../../合影 张三.png", png_bytes()))
    second = add_attachment(activity, by=None, upload=SimpleUploadedFile("../../合影 张三.png", png_bytes()))
    for stored in (first, second):
        assert re.fullmatch(rf"activities/{activity.pk}/[0-9a-f]{{32}}\.png", stored.file.name), (
            stored.file.name
        )
        assert stored.original_name == "合影 张三.png"
    assert first.file.name != second.file.name
    assert Attachment.objects.count() == 2
