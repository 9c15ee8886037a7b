"""Uploaded files, checked the same way for every upload: the size is read from the upload (Django
has already streamed a large one to a temporary file) and refused before anything is read into
memory; the kind is decided by the content's first bytes (magic numbers), never by the file
name or the type the browser claims, and the stored name's suffix follows the content."""

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kejia.core.errors import DomainError

READ_BLOCK = 1 << 20


@dataclass(frozen=True)
class Kind:
    suffix: str
    label: str
    magic: tuple[bytes, ...]
    trailer: bytes = b""  # must appear in the file's last KiB (a PDF's %%EOF): a cut or empty file is refused
    member: str = ""  # a ZIP-based Office file: a member whose name starts so tells the kind (word/, xl/)


KINDS = {
    "pdf": Kind(".pdf", "PDF", (b"%PDF-",), trailer=b"%%EOF"),
    "png": Kind(".png", "PNG", (b"\x89PNG\r\n\x1a\n",)),
    "jpeg": Kind(".jpg", "JPG", (b"\xff\xd8\xff",)),
    "xlsx": Kind(".xlsx", "XLSX", (b"PK\x03\x04",), member="xl/"),
    "docx": Kind(".docx", "DOCX", (b"PK\x03\x04",), member="word/"),
}


def sniff(head: bytes) -> str | None:
    """The kind whose magic number `head` starts with, or None."""
    return next((name for name, kind in KINDS.items() if head.startswith(kind.magic)), None)


def _office_kind(upload, allowed: list[Kind]) -> Kind | None:
    """Which of the allowed ZIP-based kinds the upload is, by the names of its members (a DOCX
    and an XLSX share the ZIP magic number); None when it is not a readable ZIP or neither."""
    upload.seek(0)
    try:
        names = zipfile.ZipFile(upload).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return next((k for k in allowed if k.member and any(n.startswith(k.member) for n in names)), None)


def _name(upload) -> str:
    return (getattr(upload, "name", "") or _("the file")).rsplit("/", 1)[-1][:100]


def check_size(upload, *, max_bytes: int, code: str = "bad_file", field: str = "file") -> int:
    """The upload's size, refused when empty or over `max_bytes`, without reading it."""
    size = getattr(upload, "size", None)
    if size is None:
        raise DomainError(code, _("%(file)s could not be read.") % {"file": _name(upload)}, field=field)
    if size == 0:
        raise DomainError(code, _("%(file)s is empty.") % {"file": _name(upload)}, field=field)
    if size > max_bytes:
        raise _too_large(upload, max_bytes, code, field)
    return size


def _too_large(upload, max_bytes: int, code: str, field: str) -> DomainError:
    mb = max(max_bytes // (1024 * 1024), 1)
    return DomainError(
        code, ngettext("%(file)s is larger than %(mb)d MB.", "%(file)s is larger than %(mb)d MB.", mb) % {"file": _name(upload), "mb": mb}, field=field
    )


def check_upload(upload, *, kinds: Iterable[str], max_bytes: int, code: str = "bad_file", field: str = "file") -> Kind:
    """The kind of an uploaded file, which must be one of `kinds` by its content, not empty and at
    most `max_bytes`. Only the first and last bytes are read; the file is left at its start."""
    size = check_size(upload, max_bytes=max_bytes, code=code, field=field)
    allowed = [KINDS[k] for k in kinds]
    upload.seek(0)
    head = upload.read(16)
    found = sniff(head)
    kind = KINDS.get(found) if found else None
    if kind is not None and kind.member and any(k.member for k in allowed):
        kind = _office_kind(upload, [k for k in allowed if k.member])
    if kind is None or kind not in allowed:
        labels = ", ".join(k.label for k in allowed)
        raise DomainError(
            code, _("%(file)s is not a %(kinds)s file (its content was checked, not its name).") % {"file": _name(upload), "kinds": labels}, field=field
        )
    if kind.trailer:
        upload.seek(max(size - 1024, 0))
        if kind.trailer not in upload.read(1024):
            raise DomainError(
                code, _("%(file)s is incomplete or damaged (the end of a %(kind)s file is missing).") % {"file": _name(upload), "kind": kind.label}, field=field
            )
    upload.seek(0)
    return kind


def read_upload(upload, *, max_bytes: int, code: str = "bad_file", field: str = "file") -> bytes:
    """The upload's content, its size checked before it is read, read block by block and refused
    as soon as it passes `max_bytes` (should the announced size be wrong)."""
    check_size(upload, max_bytes=max_bytes, code=code, field=field)
    upload.seek(0)
    blocks, total = [], 0
    while block := upload.read(READ_BLOCK):
        total += len(block)
        if total > max_bytes:
            raise _too_large(upload, max_bytes, code, field)
        blocks.append(block)
    return b"".join(blocks)
