"""The MIS pupil import as long work (issue 14 item 7): a file of more than PUPIL_IMPORT_JOB_ROWS rows (a
setting, 200) is kept and imported by a background job with a progress page; a shorter one keeps the upload,
preview and confirm of app.services.pupil_import.

The job checks every row with the same rules as the preview (app.services.pupil_import.check_file), then writes
the good rows CHUNK at a time, each chunk in one transaction with the progress. A row with a problem is refused
whole (nothing of it is written) and listed by row, column and what is wrong; the other rows are imported. A row
that clashes when written (the same UPN saved by someone else meanwhile) is refused the same way, alone.
"""
from __future__ import annotations

import csv
import io

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import BackgroundJob, User
from app.services import pupil_import
from app.services.background_jobs import progress, runner, start_job

KIND = "pupil_import"
CHUNK = 100
SUMMARY_LABELS = {"added": "Pupils added", "updated": "Pupils updated", "refused": "Rows not imported"}


def row_count(raw: bytes) -> int:
    """How many pupils a file holds (its non-blank rows after the header); 0 if it cannot be read as text."""
    text = pupil_import._decode(raw)
    if text is None:
        return 0
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return 0
    return sum(1 for row in rows[1:] if any(cell.strip() for cell in row))


def upload(file_storage, by: User) -> BackgroundJob | pupil_import.ImportPreview:
    """A long file starts the background import (returns the job); any other gets the preview as before."""
    raw = pupil_import.read_upload(file_storage)
    if raw is not None and len(raw) <= pupil_import.MAX_BYTES:
        rows = row_count(raw)
        if current_app.config["PUPIL_IMPORT_JOB_ROWS"] < rows <= pupil_import.MAX_ROWS:
            return start_job(KIND, rows, pupil_import.keep_file(raw), by)
    return pupil_import.preview_upload(file_storage, raw)


def _problem(row: int | None, column: str | None, message: str) -> dict:
    return {"row": row, "column": column, "message": message}


def _write_chunk(rows: list[tuple[int, tuple]], job: BackgroundJob, done: int) -> list[dict]:
    """Write a chunk's good rows with the progress in one commit; on a clash, row by row (each in a savepoint)
    so only the clashing row is refused. Returns the rows refused here."""
    try:
        for _, write in rows:
            pupil_import.write_row(*write)
        progress(job, done)
        db.session.commit()
        return []
    except IntegrityError:
        db.session.rollback()
    refused = []
    for row_number, write in rows:
        try:
            with db.session.begin_nested():
                pupil_import.write_row(*write)
        except IntegrityError:
            refused.append(_problem(row_number, "upn", "A pupil with this UPN was saved while the import ran: "
                                                       "this row was not imported."))
    progress(job, done)
    db.session.commit()
    return refused


@runner(KIND, "Pupil import from the MIS")
def run_import(job: BackgroundJob) -> dict:
    path = pupil_import.kept_file(job.input_ref)
    if path is None or not path.exists():
        job.errors = [_problem(None, None, "The uploaded file is no longer there: upload it again.")]
        return {"added": 0, "updated": 0, "refused": 0}
    preview = pupil_import.check_file(path.read_bytes())
    errors = [_problem(None, None, message) for message in preview.file_errors]
    errors += [_problem(e.row, e.column, e.message) for e in preview.errors]
    good = [r for r in preview.rows if r.action != "error"]
    writes = list(zip((r.row for r in good), preview._writes, strict=True))
    job.total = len(preview.rows) if not preview.file_errors else 0
    added = updated = 0
    for start in range(0, len(writes), CHUNK):
        chunk = writes[start:start + CHUNK]
        refused = _write_chunk(chunk, job, done=_rows_up_to(preview, chunk[-1][0]))
        errors += refused
        clashed = {e["row"] for e in refused}
        added += sum(1 for row, write in chunk if write[0] is None and row not in clashed)
        updated += sum(1 for row, write in chunk if write[0] is not None and row not in clashed)
    job.errors = sorted(errors, key=lambda e: (e["row"] or 0, e["column"] or ""))
    path.unlink(missing_ok=True)
    return {"added": added, "updated": updated, "refused": len({e["row"] for e in job.errors if e["row"]}),
            "chunks": -(-len(writes) // CHUNK)}


def _rows_up_to(preview: pupil_import.ImportPreview, row_number: int) -> int:
    """How many of the file's rows come up to this one (refused rows count as dealt with)."""
    return sum(1 for r in preview.rows if r.row <= row_number)
