"""Subject access (issue 19, item 3): a pupil's whole record in their school, as a zip of a readable PDF and
machine-readable JSON, with third parties' personal data flagged for redaction review. Requested and released by
the DSL or the headteacher; the one-month deadline is a task; recording, each export and the release are audited.
"""
from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import zipfile
from collections.abc import Mapping
from io import BytesIO

from fpdf import FPDF
from sqlalchemy import inspect, or_, select

from app.audit import record_event
from app.clock import now, today
from app.extensions import db
from app.models import (
    AttendanceSession,
    BelongingAction,
    Carer,
    Complaint,
    EventRiskAssessment,
    FlexiAgreement,
    FlexiRequest,
    FlexiReview,
    Involvement,
    Notification,
    OffSiteDirection,
    ParentConsultation,
    PartTimeTimetable,
    PartTimeTimetableReview,
    PartTimeTimetableSession,
    Placement,
    PlacementAgreement,
    PlacementReview,
    Pupil,
    PupilProgressEntry,
    PupilRiskAssessment,
    Referral,
    School,
    SubjectAccessRequest,
    User,
    WeeklySession,
    WelfareCheck,
)
from app.policy.subject_access import redaction_flags, response_due
from app.policy.task_kinds import TaskKind
from app.services import flexi_documents, letters
from app.services.results import Result, refused
from app.services.tasks import complete_tasks_for, ensure_task
from app.state_changes import still
from tenants import require_school_id
from tenants.access import school_record_or_404

SUBJECT = "subject_access_request"
# Every kind of record about the pupil, in the order the export shows them, with its heading.
PUPIL_SECTIONS = (
    ("Carer", Carer, "Parents and carers"),
    ("Referral", Referral, "Referral and needs analysis"),
    ("PupilRiskAssessment", PupilRiskAssessment, "Risk assessments"),
    ("ParentConsultation", ParentConsultation, "Consultations with parents and carers"),
    ("Involvement", Involvement, "LA, virtual school and social worker involvement"),
    ("BelongingAction", BelongingAction, "Continued belonging"),
    ("EventRiskAssessment", EventRiskAssessment, "School event risk assessments"),
    ("Placement", Placement, "Placements"),
    ("AttendanceSession", AttendanceSession, "Attendance at the provider"),
    ("WelfareCheck", WelfareCheck, "Welfare checks"),
    ("PlacementReview", PlacementReview, "Reviews"),
    ("PupilProgressEntry", PupilProgressEntry, "Progress, achievements and the pupil's voice"),
    ("PartTimeTimetable", PartTimeTimetable, "Part-time timetables"),
    ("FlexiRequest", FlexiRequest, "Flexi-schooling requests and decisions"),
    ("FlexiAgreement", FlexiAgreement, "Flexi-schooling agreements"),
    ("FlexiReview", FlexiReview, "Flexi-schooling reviews"),
    ("Complaint", Complaint, "Complaints about how the policy was applied to the pupil"),
)
TIMETABLE_SECTIONS = (
    ("PartTimeTimetableSession", PartTimeTimetableSession, "Part-time timetable sessions"),
    ("PartTimeTimetableReview", PartTimeTimetableReview, "Part-time timetable reviews"),
)
PLACEMENT_SECTIONS = (
    ("PlacementAgreement", PlacementAgreement, "Commissioning agreements"),
    ("WeeklySession", WeeklySession, "Weekly timetable at the provider"),
    ("OffSiteDirection", OffSiteDirection, "Off-site directions"),
)
_LEFT_OUT = {"school_id", "password_hash", "token_hash", "dedupe_key", "message_id", "claimed_at", "context",
             "body_html", "link_args"}


def latin1(text) -> str:
    """The core PDF fonts are Latin-1: anything else is written as '?' rather than failing the export."""
    return letters.plain(str(text))


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _row(obj) -> dict:
    return {a.key: _plain(getattr(obj, a.key)) for a in inspect(obj).mapper.column_attrs if a.key not in _LEFT_OUT}


def pupil_export(pupil: Pupil) -> dict:
    """The pupil's whole record in the current school, as plain data, with the fields to review for redaction."""
    sections: dict[str, dict] = {"Pupil": {"title": "Pupil details", "rows": [_row(pupil)]}}
    for name, model, title in PUPIL_SECTIONS:
        rows = db.session.scalars(select(model).where(model.pupil_id == pupil.id).order_by(model.id))
        sections[name] = {"title": title, "rows": [_row(r) for r in rows]}
    placement_ids = [r["id"] for r in sections["Placement"]["rows"]]
    for name, model, title in PLACEMENT_SECTIONS:
        rows = db.session.scalars(select(model).where(model.placement_id.in_(placement_ids)).order_by(model.id))
        sections[name] = {"title": title, "rows": [_row(r) for r in rows]}
    timetable_ids = [r["id"] for r in sections["PartTimeTimetable"]["rows"]]
    for name, model, title in TIMETABLE_SECTIONS:
        rows = db.session.scalars(select(model).where(model.timetable_id.in_(timetable_ids)).order_by(model.id))
        sections[name] = {"title": title, "rows": [_row(r) for r in rows]}
    about = [(Notification.about_type == "Pupil") & (Notification.about_id == pupil.id)]
    for kind, name in (("placement", "Placement"), ("welfare_check", "WelfareCheck"), ("WelfareCheck", "WelfareCheck"),
                       ("placement_review", "PlacementReview")):
        ids = [r["id"] for r in sections[name]["rows"]]
        if ids:
            about.append((Notification.about_type == kind) & Notification.about_id.in_(ids))
    notices = db.session.scalars(select(Notification).where(or_(*about)).order_by(Notification.id))
    sections["Notification"] = {"title": "Notices sent about the pupil", "rows": [_row(n) for n in notices]}
    sections["Files"] = {"title": "Files", "rows": [_file_row(r) for r in db.session.scalars(
        select(FlexiRequest).where(FlexiRequest.pupil_id == pupil.id, FlexiRequest.document_stored_name.is_not(None))
        .order_by(FlexiRequest.id))],
        "note": "Uploaded files about the pupil (the parents' written flexi-schooling requests) are in the files/ "
                "folder of the export; letters are made from the records above."}
    review = [{"section": name, "record_id": row.get("id"), "field": field}
              for name, section in sections.items() for row in section["rows"]
              for field in redaction_flags(name, row)]
    school = db.session.get(School, pupil.school_id)
    return {"school": school.name, "pupil_id": pupil.id, "made_at": now().isoformat(),
            "redaction_review": review, "sections": sections}


def _file_row(request: FlexiRequest) -> dict:
    return {"id": request.id, "record": "FlexiRequest", "name": request.document_name,
            "file": f"files/flexi-request-{request.id}-{request.document_stored_name[:8]}",
            "content_type": request.document_content_type, "size_bytes": request.document_size_bytes}


def _files(export: Mapping) -> list[tuple[str, bytes]]:
    """The uploaded files the export lists, read from disk (a file missing from disk is left out, not fatal)."""
    found = []
    for row in export["sections"]["Files"]["rows"]:
        request = db.session.get(FlexiRequest, row["id"])
        path = flexi_documents.document_path(request) if request else None
        if path is not None and path.is_file():
            found.append((row["file"], path.read_bytes()))
    return found


def export_pdf(export: Mapping) -> bytes:
    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, latin1(f"Subject access: the record held by {export['school']}"), new_x="LMARGIN",
                   new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 6, latin1(f"Made {export['made_at'][:16].replace('T', ' ')} UTC. Fields marked [review] "
                                "hold other people's personal data and are reviewed before release."),
                   new_x="LMARGIN", new_y="NEXT")
    flagged = {(f["section"], f["record_id"], f["field"]) for f in export["redaction_review"]}
    for name, section in export["sections"].items():
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 8, latin1(section["title"]), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        if section.get("note"):
            pdf.multi_cell(0, 6, latin1(section["note"]), new_x="LMARGIN", new_y="NEXT")
        if not section["rows"]:
            pdf.multi_cell(0, 6, "None held.", new_x="LMARGIN", new_y="NEXT")
        for row in section["rows"]:
            for field, value in row.items():
                if value in (None, ""):
                    continue
                mark = " [review]" if (name, row.get("id"), field) in flagged else ""
                pdf.multi_cell(0, 5, latin1(f"{field.replace('_', ' ')}{mark}: {value}"), new_x="LMARGIN",
                               new_y="NEXT")
            pdf.ln(2)
    return bytes(pdf.output())


def export_zip(pupil: Pupil) -> bytes:
    export = pupil_export(pupil)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("record.json", json.dumps(export, indent=2, default=str))
        archive.writestr("record.pdf", export_pdf(export))
        for name, content in _files(export):
            archive.writestr(name, content)
    return buffer.getvalue()


def access_request(request_id: int) -> SubjectAccessRequest:
    return school_record_or_404(SubjectAccessRequest, request_id)


def requests_for(pupil: Pupil) -> list[SubjectAccessRequest]:
    return list(db.session.scalars(select(SubjectAccessRequest).where(SubjectAccessRequest.pupil_id == pupil.id)
                                   .order_by(SubjectAccessRequest.id.desc())))


def record_request(pupil: Pupil, requester: str | None, received_on: dt.date | None, by: User) -> Result:
    """Record a request; its one-month deadline becomes the DSL's task. Commits."""
    errors = {}
    if not (requester or "").strip():
        errors["requester"] = "Say who made the request, e.g. the pupil's mother"
    if received_on is None:
        errors["received_on"] = "Enter the date the request was received"
    elif received_on > today():
        errors["received_on"] = "The date received cannot be in the future"
    if errors:
        return refused(errors)
    request = SubjectAccessRequest(pupil_id=pupil.id, requester=requester.strip()[:200], received_on=received_on,
                                   due_on=response_due(received_on), requested_by_id=by.id)
    db.session.add(request)
    db.session.flush()
    ensure_task(TaskKind.SUBJECT_ACCESS_REQUEST, f"subject-access:{request.id}",
                f"Answer the subject access request for {pupil.display_name}",
                due_at=dt.datetime.combine(request.due_on, dt.time(17), tzinfo=dt.UTC),
                subject=(SUBJECT, request.id), link=("data_protection.subject_access", {"pupil_id": pupil.id}))
    db.session.commit()
    return Result(record=request)


def export_for(request: SubjectAccessRequest, by: User) -> bytes:
    """The zip; each export is recorded (by kind and id: the trail holds no copy of the record). Commits."""
    pupil = db.session.get(Pupil, request.pupil_id)
    data = export_zip(pupil)
    record_event(db.session, "subject_access_export", "SubjectAccessRequest", request.id,
                 school_id=require_school_id(), actor_id=by.id)
    db.session.commit()
    return data


def release(request: SubjectAccessRequest, by: User) -> Result:
    """Mark the request answered (once: `still` decides in the database) and complete its task. Commits."""
    if not still(SubjectAccessRequest, request.id, SubjectAccessRequest.released_at.is_(None)):
        return refused({"request": "This request was released already"})  # a second click, or two at once
    request.released_at, request.released_by_id = now(), by.id  # through the session: the trail records it
    complete_tasks_for(SUBJECT, request.id, [TaskKind.SUBJECT_ACCESS_REQUEST], by)
    db.session.commit()
    return Result(record=request)
