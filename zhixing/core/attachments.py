"""Checking an uploaded attachment by its content, and the clean copy that is stored.

Photos and PDFs only (activity attachments, progress evidence, 督办 answers, assessment material):
- the extension says what it claims to be, and the first bytes agree;
- a photo must decode completely with Pillow (verify() and load()); it is then re-encoded: the EXIF orientation
  applied to the pixels, every metadata block (EXIF with GPS position, XMP, comments) dropped;
- a PDF must parse with pypdf, and is refused when any object carries JavaScript, a launch action or an
  automatic action (/JS, /JavaScript, /Launch, /AA, an /OpenAction that runs one of those), including objects
  packed in object streams; encrypted PDFs cannot be checked and are refused;
- the size limit is per kind (settings.ZHIXING_MAX_IMAGE_MB, ZHIXING_MAX_PDF_MB).

The uploader's file name is only shown (StoredFile.original_name); on disk each file gets a random name
(core.models.stored_file_path) with the extension of its checked type.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

# extension -> (content type, magic prefixes, kind)
TYPES: dict[str, tuple[str, tuple[bytes, ...], str]] = {
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",), "image"),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",), "image"),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",), "image"),
    "pdf": ("application/pdf", (b"%PDF-",), "pdf"),
}
PILLOW_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG"}
STORED_EXT = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
KIND_LABEL = {"image": "图片", "pdf": "PDF"}
# A photo larger than this many pixels is refused before it is decoded (a "decompression bomb": a small file that
# expands to gigabytes). 60 megapixels is beyond any phone camera.
MAX_PIXELS = 60_000_000
# Action types that run something when a reader opens or touches the document.
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/Rendition"}
ACTIVE_KEYS = {"/JS", "/JavaScript", "/AA", "/Launch"}
MAX_PDF_OBJECTS = 500_000


@dataclass(frozen=True)
class Vetted:
    """An accepted upload: what to store (the cleaned bytes) and how to describe it."""

    original_name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def storage_name(self) -> str:
        """Only the extension counts: core.models.stored_file_path puts a random name in front of it."""
        return f"upload.{STORED_EXT[self.content_type]}"

    def content(self) -> ContentFile[bytes]:
        return ContentFile(self.data)


def limit_bytes(kind: str) -> int:
    megabytes = settings.ZHIXING_MAX_IMAGE_MB if kind == "image" else settings.ZHIXING_MAX_PDF_MB
    return int(megabytes * 1024 * 1024)


def allowed_extensions() -> str:
    return "、".join(sorted({e.upper() for e in TYPES if e != "jpeg"}))


def vet(upload: UploadedFile) -> Vetted:
    """The cleaned upload, or a Chinese ValidationError keyed "file" that says what to do instead."""
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in TYPES:
        raise _refuse(f"“{name}”的类型不支持：只能上传 {allowed_extensions()} 文件。")
    content_type, magics, kind = TYPES[ext]
    size = upload.size or 0
    limit = limit_bytes(kind)
    if size > limit:
        raise _refuse(
            f"“{name}”太大（{size / 1024 / 1024:.1f} MB）：每个{KIND_LABEL[kind]}附件不超过 "
            f"{limit / 1024 / 1024:g} MB，请压缩后再上传。"
        )
    if size == 0:
        raise _refuse(f"“{name}”是空文件，请重新选择。")
    upload.seek(0)
    raw = upload.read(limit + 1)
    upload.seek(0)
    if len(raw) > limit:
        raise _refuse(f"“{name}”太大：每个{KIND_LABEL[kind]}附件不超过 {limit / 1024 / 1024:g} MB。")
    if not any(raw.startswith(m) for m in magics):
        raise _refuse(
            f"“{name}”的内容不是 {ext.upper()} 文件（扩展名与文件内容不符），请上传原始的图片或 PDF。"
        )
    data = clean_image(raw, content_type, name) if kind == "image" else check_pdf(raw, name)
    return Vetted(original_name=name[:200], content_type=content_type, data=data)


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


# --- Photos ---------------------------------------------------------------------------------------


def clean_image(raw: bytes, content_type: str, name: str) -> bytes:
    """Decode completely, then re-encode without metadata, the EXIF orientation applied to the pixels."""
    from PIL import Image, ImageOps

    broken = _refuse(f"“{name}”不是完整有效的图片（无法解码，可能已损坏或被改名），请上传原始照片。")
    expected = PILLOW_FORMAT[content_type]
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format != expected:
                raise broken
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise _refuse(f"“{name}”的像素太多（{width}×{height}），请缩小后再上传。")
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            return _encode(upright, expected, icc=image.info.get("icc_profile"))
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise broken from exc


def _encode(image: Any, fmt: str, *, icc: bytes | None) -> bytes:
    """A fresh file from the pixels only: no EXIF (GPS, camera, time), no XMP, no text chunks; the colour
    profile is kept so that colours stay right."""
    out = io.BytesIO()
    options: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG" and image.mode not in {"RGB", "L", "CMYK"}:
        image = image.convert("RGB")
    elif fmt == "PNG" and image.mode not in {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"}:
        image = image.convert("RGBA")
    clean = image.copy()
    # Pillow carries some of `info` into the new file (a JPEG comment, PNG text): keep only transparency.
    clean.info = {k: v for k, v in image.info.items() if k == "transparency"}
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=90, optimize=True, **options)
    else:
        clean.save(out, "PNG", optimize=True, **options)
    return out.getvalue()


# --- PDFs -----------------------------------------------------------------------------------------


def check_pdf(raw: bytes, name: str) -> bytes:
    """The PDF unchanged when nothing in it can run; refused otherwise (the reader's own sandbox is not
    enough: viewers differ, and a printed 会议记录 needs no script)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            raise _refuse(f"“{name}”已加密，无法检查其内容：请去掉密码后重新导出 PDF 再上传。")
        if len(reader.pages) == 0:
            raise _refuse(f"“{name}”没有页面，请重新导出 PDF。")
        found = _active_content(reader)
    except ValidationError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise _refuse(f"“{name}”不是有效的 PDF 文件（无法读取），请重新导出后上传。") from exc
    if found:
        raise _refuse(
            f"“{name}”含有脚本或自动执行的动作（{found}），出于安全不能上传："
            "请用“打印为 PDF”或“另存为 PDF”重新生成一份不含脚本的文件。"
        )
    return raw


def _active_content(reader: Any) -> str:
    """The first active element found in any object of the file, '' if none. Walks every object the
    cross-reference tables list (including those inside object streams) and everything reachable from the
    trailer, so a script hidden in an unreferenced or compressed object is found too."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    for generation, numbers in getattr(reader, "xref", {}).items():
        stack.extend(IndirectObject(number, generation, reader) for number in numbers)
    stack.extend(IndirectObject(number, 0, reader) for number in getattr(reader, "xref_objStm", {}))
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            try:
                item = item.get_object()
            except Exception:  # noqa: BLE001, S112 - a dangling or free entry is no script
                continue
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(item, DictionaryObject):
            for key in item:
                if key in ACTIVE_KEYS:
                    return str(key)
            action = item.get("/S")
            if action in ACTIVE_ACTIONS:
                return str(action)
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return ""
