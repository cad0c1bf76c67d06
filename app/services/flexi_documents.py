"""The parent's written request for flexi-schooling (policy 10.4: "requests ... in writing"), kept as evidence files
are (app.services.evidence): accepted by type and first bytes, stored outside the web root under a random name,
no extension, not executable, and served only through a permission-checked view."""
from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from flask import current_app

from app.extensions import db
from app.models import FlexiRequest
from app.services.evidence import CheckedUpload, EvidenceRefused, check_upload
from app.services.results import Result, refused


def _documents_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "flexi-requests"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def store_document(request: FlexiRequest, upload: CheckedUpload) -> None:
    """Write the file and note it on the request (the caller commits)."""
    stored_name = secrets.token_hex(24)
    fd = os.open(_documents_folder() / stored_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(upload.data)
    request.document_name = upload.original_name
    request.document_stored_name = stored_name
    request.document_content_type = upload.file_type.content_type
    request.document_size_bytes = len(upload.data)
    request.document_sha256 = hashlib.sha256(upload.data).hexdigest()


def document_path(request: FlexiRequest) -> Path | None:
    name = request.document_stored_name
    if not name or not all(c in "0123456789abcdef" for c in name):
        return None
    return _documents_folder() / name


def record_document(request: FlexiRequest, document: tuple[str | None, bytes]) -> Result:
    """The written request uploaded after the request was recorded (or a clearer copy)."""
    try:
        upload = check_upload(*document)
    except EvidenceRefused as exc:
        return refused({"document": str(exc)})
    store_document(request, upload)
    db.session.commit()
    return Result(record=request)
