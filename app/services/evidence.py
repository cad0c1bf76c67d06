"""Evidence files for the shared provider register (issue 4, item 7).

A file is accepted only when its extension is on the allow-list AND its first bytes are what that type starts
with (a renamed executable or script is refused), and only up to a size limit. It is stored outside the web root,
under UPLOAD_FOLDER/provider-evidence/, with a random name, no extension and no execute bit; its original name is
kept only after sanitising. It is served only through a permission-checked view, as an attachment.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask import current_app
from werkzeug.utils import secure_filename

from app.extensions import db
from app.models import ProviderEvidenceFile

DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # EVIDENCE_MAX_BYTES overrides it
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (.doc, .xls, .ppt)
_ZIP = b"PK\x03\x04"  # Office Open XML is a zip with [Content_Types].xml in it


@dataclass(frozen=True)
class FileType:
    content_type: str
    magic: tuple[bytes, ...]
    office_open_xml: bool = False


ALLOWED_TYPES: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", (b"%PDF-",)),
    ".png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": FileType("image/gif", (b"GIF87a", b"GIF89a")),
    ".doc": FileType("application/msword", (_OLE,)),
    ".xls": FileType("application/vnd.ms-excel", (_OLE,)),
    ".ppt": FileType("application/vnd.ms-powerpoint", (_OLE,)),
    ".docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (_ZIP,), True),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (_ZIP,), True),
    ".pptx": FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", (_ZIP,), True),
}
ALLOWED_LABEL = "PDF, PNG, JPEG, GIF, Word, Excel or PowerPoint"


class EvidenceRefused(ValueError):
    """The file is not accepted; the message says why, in words for the person uploading it."""


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    file_type: FileType
    data: bytes


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def sanitised_name(name: str | None) -> str:
    """A name safe to show and to offer as a download name: no path, no control characters."""
    cleaned = secure_filename(os.path.basename((name or "").replace("\\", "/")))
    return cleaned[-255:] or "evidence"


def _looks_like_office_open_xml(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def check_upload(name: str | None, data: bytes) -> CheckedUpload:
    """Accept or refuse one upload: the type by extension and by its first bytes, then the size."""
    original = sanitised_name(name)
    extension = Path(original).suffix.lower()
    file_type = ALLOWED_TYPES.get(extension)
    if file_type is None:
        raise EvidenceRefused(f"{original}: this type of file is not accepted. Upload a {ALLOWED_LABEL} file.")
    if not data:
        raise EvidenceRefused(f"{original} is empty.")
    if len(data) > max_bytes():
        raise EvidenceRefused(f"{original} is larger than {max_bytes() // (1024 * 1024)} MB.")
    if not any(data.startswith(magic) for magic in file_type.magic) or (
            file_type.office_open_xml and not _looks_like_office_open_xml(data)):
        raise EvidenceRefused(f"{original} is not really a {extension[1:].upper()} file, so it is not accepted.")
    return CheckedUpload(original, file_type, data)


def read_upload(storage) -> tuple[str, bytes]:
    """The name and bytes of a werkzeug FileStorage, reading at most one byte past the limit."""
    data = storage.stream.read(max_bytes() + 1)
    return storage.filename, data


def evidence_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "provider-evidence"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def store_evidence(upload: CheckedUpload, *, provider_id: int, user_id: int, school_id: int | None,
                   check_item_id: int | None = None) -> ProviderEvidenceFile:
    """Write the file under a random name (no extension, not executable) and add its record to the session
    (the caller commits; a failed commit leaves at worst an orphan file, never a record without its file)."""
    stored_name = secrets.token_hex(24)
    path = evidence_folder() / stored_name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(upload.data)
    record = ProviderEvidenceFile(
        provider_id=provider_id, check_item_id=check_item_id, uploaded_by_school_id=school_id,
        uploaded_by_id=user_id, original_name=upload.original_name, stored_name=stored_name,
        content_type=upload.file_type.content_type, size_bytes=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest())
    db.session.add(record)
    return record


def evidence_path(record: ProviderEvidenceFile) -> Path:
    """Where the record's bytes are. The stored name is ours (hex), so it cannot climb out of the folder."""
    if not all(c in "0123456789abcdef" for c in record.stored_name):
        raise EvidenceRefused("stored name is not one AP Hub made")
    return evidence_folder() / record.stored_name
