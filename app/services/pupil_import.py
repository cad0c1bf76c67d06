"""Importing pupils from a CSV export of the school's MIS: upload, preview, confirm.

- Upload: the file is read and every row checked with the same rules as the pupil form
  (`app.services.pupils.pupil_problems`). The preview lists each row's problems (row number as a spreadsheet
  shows it — the header is row 1 —, the column as headed in the file, and what is wrong) and counts the rows to
  add, to update and in error. Nothing is written to the database.
- Existing UPNs UPDATE the pupil (the MIS is where pupil details are kept): only the columns the file has are
  changed; the preview says which rows update. A UPN that belongs to an archived pupil is an error (restore the
  pupil first), as is a UPN twice in one file.
- Confirm: the file is read and checked again (the school's pupils may have changed since the preview); if any
  row has a problem nothing is imported; otherwise every row is written in ONE transaction — all or nothing.
- Between the two steps the file waits in UPLOAD_FOLDER/pupil-imports/<school id>/<random token>.csv (shared
  storage in a multi-machine deployment) and is removed once imported.
- Limits: MAX_ROWS rows and MAX_BYTES per file. A bigger file is refused with the limit named (split it by year
  group). A file of up to PUPIL_IMPORT_JOB_ROWS rows (a setting, 200) is imported in the request as above; a longer
  one runs as a background job with a progress page (app.services.pupil_import_job, issue 14 item 7).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Pupil
from app.services.pupils import PUPIL_FIELDS, clean_pupil_values, pupil_problems
from tenants.context import require_school_id

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
LIMITS_TEXT = f"Up to {MAX_ROWS:,} pupils and {MAX_BYTES // (1024 * 1024)} MB a file."

# The headers of the sample file, in its order; each field also answers to the names MIS exports commonly use.
SAMPLE_HEADERS = ("upn", "first_name", "last_name", "preferred_name", "date_of_birth", "year_group", "has_ehcp",
                  "sen_support", "is_looked_after", "has_social_worker", "social_worker_name", "social_worker_email",
                  "social_worker_phone", "fsm_eligible", "medical_needs")
REQUIRED = ("upn", "first_name", "last_name", "date_of_birth", "year_group")
_ALIASES = {
    "upn": ("upn", "uniquepupilnumber"),
    "first_name": ("firstname", "forename", "legalforename", "legalfirstname"),
    "last_name": ("lastname", "surname", "legalsurname", "legallastname"),
    "preferred_name": ("preferredname", "preferredforename", "preferredfirstname", "knownas"),
    "date_of_birth": ("dateofbirth", "dob", "birthdate"),
    "year_group": ("yeargroup", "year", "ncyear", "ncyearactual"),
    "has_ehcp": ("hasehcp", "ehcp", "ehcplan"),
    "sen_support": ("sensupport",),
    "is_looked_after": ("islookedafter", "lookedafter", "lac", "incare", "cla"),
    "has_social_worker": ("hassocialworker", "socialworker"),
    "social_worker_name": ("socialworkername",),
    "social_worker_email": ("socialworkeremail",),
    "social_worker_phone": ("socialworkerphone", "socialworkertelephone"),
    "fsm_eligible": ("fsmeligible", "fsm", "freeschoolmeals"),
    "medical_needs": ("medicalneeds", "medical", "medicalconditions"),
}
_HEADER_TO_FIELD = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
_YES = {"y", "yes", "true", "1"}
_NO = {"", "n", "no", "false", "0"}
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class PreviewRow:
    row: int
    upn: str
    name: str
    action: str  # "add", "update" or "error"
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ImportPreview:
    rows: list[PreviewRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    token: str | None = None
    # what confirming writes: (pupil id or None, cleaned values, the fields the file gives)
    _writes: list[tuple[int | None, dict, tuple[str, ...]]] = field(default_factory=list, repr=False)

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors and bool(self.rows)

    @property
    def to_create(self) -> int:
        return sum(r.action == "add" for r in self.rows)

    @property
    def to_update(self) -> int:
        return sum(r.action == "update" for r in self.rows)

    @property
    def in_error(self) -> int:
        return sum(r.action == "error" for r in self.rows)


def sample_csv() -> str:
    """A file with the expected headers and two fictional pupils."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SAMPLE_HEADERS)
    writer.writerow(["A123456789012", "Sam", "Example", "", "17/05/2012", "9", "N", "Y", "N", "N", "", "", "",
                     "Y", "Asthma: inhaler in bag"])
    writer.writerow(["", "Alex", "Sample", "Lex", "2013-02-01", "8", "Y", "N", "Y", "Y", "Pat Worker",
                     "pat.worker@example.org", "01632 960001", "N", ""])
    return out.getvalue()


# --- reading ------------------------------------------------------------------------------------------------


def _decode(raw: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows still saves CSV as cp1252
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _year_group(text: str) -> int | None:
    t = text.strip().lower().removeprefix("year").removeprefix("y").strip()
    if t in ("r", "rec", "reception"):
        return 0
    if t in ("n", "n1", "n2", "nursery"):
        return -1
    return int(t) if t.lstrip("-").isdigit() else None


_PARSE_MESSAGES = {
    "date_of_birth": "Not a date: write it as 17/05/2012 or 2012-05-17.",
    "year_group": "Not a year group: write R for Reception, N for Nursery, or 1 to 13.",
}


def _parse_row(raw: dict[str, str], columns: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """The row's values by field, and parse problems by field."""
    values: dict = {}
    problems: dict[str, str] = {}
    for name, header in columns.items():
        text = (raw.get(header) or "").strip()
        if name == "date_of_birth":
            values[name] = _date(text) if text else None
            if text and values[name] is None:
                problems[name] = _PARSE_MESSAGES[name]
        elif name == "year_group":
            values[name] = _year_group(text) if text else None
            if text and values[name] is None:
                problems[name] = _PARSE_MESSAGES[name]
        elif name in ("has_ehcp", "sen_support", "is_looked_after", "has_social_worker", "fsm_eligible"):
            if text.lower() in _YES:
                values[name] = True
            elif text.lower() in _NO:
                values[name] = False
            else:
                problems[name] = "Write Y or N."
        else:
            values[name] = text
    return values, problems


def check_file(raw: bytes) -> ImportPreview:
    """Read and check a whole file against the current school's pupils. Writes nothing."""
    preview = ImportPreview()
    if len(raw) > MAX_BYTES:
        preview.file_errors.append(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it by year group.")
        return preview
    text = _decode(raw)
    if text is None:
        preview.file_errors.append("The file is not text: export it from the MIS as CSV.")
        return preview
    reader = csv.DictReader(io.StringIO(text))
    headers = reader.fieldnames or []
    columns: dict[str, str] = {}
    for header in headers:
        name = _HEADER_TO_FIELD.get(_normalise(header or ""))
        if name and name not in columns:
            columns[name] = header
    missing = [n for n in REQUIRED if n not in columns]
    if missing:
        preview.file_errors.append("The file has no column for: " + ", ".join(missing)
                                   + ". Download the sample file to see the headers expected.")
        return preview
    existing = {p.upn: p for p in db.session.scalars(select(Pupil))}
    seen: dict[str, int] = {}
    try:
        for index, raw_row in enumerate(reader):
            row_number = index + 2  # the header is row 1
            if index >= MAX_ROWS:
                preview.file_errors.append(f"The file has more than {MAX_ROWS:,} pupils: split it by year group.")
                preview.rows.clear()
                return preview
            if not any((v or "").strip() for v in raw_row.values() if isinstance(v, str)):
                continue  # a blank line at the end of an export
            preview.rows.append(_check_row(preview, row_number, raw_row, columns, existing, seen))
    except csv.Error as err:
        preview.file_errors.append(f"The file could not be read as CSV near row {reader.line_num}: {err}.")
    if not preview.rows and not preview.file_errors:
        preview.file_errors.append("The file has a header row but no pupils.")
    return preview


def _check_row(preview: ImportPreview, row_number: int, raw_row: dict, columns: dict[str, str],
               existing: dict[str, Pupil], seen: dict[str, int]) -> PreviewRow:
    values, problems = _parse_row(raw_row, columns)
    current = None
    upn = (values.get("upn") or "").upper().replace(" ", "")
    if upn in existing:
        current = existing[upn]
        # Columns the file lacks keep the pupil's values.
        merged = {name: getattr(current, name) for name in PUPIL_FIELDS}
        merged.update(values)
        values = merged
    cleaned = clean_pupil_values(values)
    errors = pupil_problems(cleaned, check_unique=False)
    for name, message in problems.items():
        errors[name] = message  # the parse problem says more than "enter a date"
    if current is not None and current.is_archived:
        errors.setdefault("upn", "This UPN belongs to an archived pupil: restore the pupil before importing.")
    if upn and upn in seen:
        errors.setdefault("upn", f"This UPN is already on row {seen[upn]} of this file.")
    elif upn:
        seen[upn] = row_number
    name = " ".join(x for x in (cleaned.get("first_name"), cleaned.get("last_name")) if x)
    row_errors = [RowError(row_number, columns.get(field_name, field_name), message)
                  for field_name, message in errors.items()]
    action = "error" if row_errors else ("update" if current is not None else "add")
    if not row_errors:
        preview._writes.append((current.id if current is not None else None, cleaned, tuple(columns)))
    return PreviewRow(row_number, upn, name, action, row_errors)


# --- the two steps ------------------------------------------------------------------------------------------


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "pupil-imports" / str(require_school_id())
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def read_upload(file_storage) -> bytes | None:
    """The uploaded file's bytes (one more than the limit, so an oversized file is seen), or None without one."""
    if file_storage is None or not getattr(file_storage, "filename", ""):
        return None
    return file_storage.read(MAX_BYTES + 1)


def keep_file(raw: bytes) -> str:
    """Keep a file for a later step (the confirm step, or a background import) under a new token."""
    token = secrets.token_urlsafe(24)
    (_folder() / f"{token}.csv").write_bytes(raw)
    return token


def kept_file(token: str | None) -> Path | None:
    """Where a kept file is, if the token is well formed (it need not exist)."""
    return _folder() / f"{token}.csv" if token and _TOKEN.match(token) else None


def preview_upload(file_storage, raw: bytes | None = None) -> ImportPreview:
    """Check an uploaded file; when every row is good, keep it for the confirm step under a new token."""
    raw = raw if raw is not None else read_upload(file_storage)
    if raw is None:
        return ImportPreview(file_errors=["Choose a CSV file to upload."])
    preview = check_file(raw)
    if preview.ok:
        preview.token = keep_file(raw)
    return preview


@dataclass
class ImportOutcome:
    imported: bool
    preview: ImportPreview


def confirm_import(token: str | None) -> ImportOutcome:
    """Check the kept file again and write every row in one transaction, or nothing."""
    path = kept_file(token)
    if path is None or not path.exists():
        return ImportOutcome(False, ImportPreview(file_errors=["This upload has expired or was already imported: "
                                                               "upload the file again."]))
    preview = check_file(path.read_bytes())
    if not preview.ok:
        return ImportOutcome(False, preview)
    try:
        import_rows(preview)
    except IntegrityError:
        # Someone added one of these UPNs between the check and the write: the transaction kept nothing.
        preview.file_errors.append("A pupil with one of these UPNs was saved at the same moment: nothing was "
                                   "imported. Upload the file again to see the change.")
        return ImportOutcome(False, preview)
    path.unlink(missing_ok=True)
    return ImportOutcome(True, preview)


def write_row(pupil_id: int | None, cleaned: dict, given: tuple[str, ...]) -> None:
    """Add (or update) one checked row's pupil in the session; the caller commits."""
    pupil = db.session.get(Pupil, pupil_id) if pupil_id else Pupil(school_id=require_school_id())
    for name in PUPIL_FIELDS:
        if pupil_id is None or name in given or name == "has_social_worker":
            setattr(pupil, name, cleaned[name])
    if pupil_id is None:
        db.session.add(pupil)


def import_rows(preview: ImportPreview) -> None:
    """Write a checked preview's rows: all in one transaction; any failure rolls every row back."""
    try:
        for pupil_id, cleaned, given in preview._writes:
            write_row(pupil_id, cleaned, given)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise

