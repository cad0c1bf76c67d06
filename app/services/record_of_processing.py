"""The record of processing (UK GDPR Article 30; issue 19, item 5), generated from the models, the permissions and
the retention schedule, so it cannot drift from the code: `flask data-protection docs` writes
docs/data-protection.md, and a test fails when the committed file is out of date."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect

from app.extensions import db
from app.permissions import SCHOOL_ROLE_PERMISSIONS, TRUST_ROLE_PERMISSIONS, Permission
from app.policy.retention_schedule import SCHEDULE
from app.policy.subject_access import THIRD_PARTY_FIELDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-protection.md"

# Why each record about people is held, and the permission that shows it (who sees it follows from the roles).
PURPOSES: dict[str, tuple[str, Permission]] = {
    "Pupil": ("identify the pupil in AP and meet their needs (4.3, 7.5, 7.6, 7.10)", Permission.PUPILS_VIEW),
    "Carer": ("consult and inform parents and carers (7.4, 6.5, 9.6)", Permission.PUPILS_VIEW),
    "Referral": ("the needs analysis before commissioning (4.3, 5.2)", Permission.PUPILS_VIEW),
    "PupilRiskAssessment": ("keep the pupil safe at the provision (4.3)", Permission.PUPILS_VIEW),
    "ParentConsultation": ("parents' views on the choice of provision (7.4)", Permission.PUPILS_VIEW),
    "Involvement": ("the LA, virtual school and social worker closely involved (7.5, 7.6)", Permission.PUPILS_VIEW),
    "BelongingAction": ("keep the pupil part of the school community (5.4)", Permission.PUPILS_VIEW),
    "EventRiskAssessment": ("the risk of joining school events (5.5)", Permission.PUPILS_VIEW),
    "Placement": ("commission and monitor the placement (7.11, 8.7)", Permission.PLACEMENTS_VIEW),
    "AttendanceSession": ("confirm attendance every session and keep the register right (4.5)",
                          Permission.ATTENDANCE_VIEW),
    "WelfareCheck": ("children missing education: safeguarding follow-up (KCSIE, 4.4)",
                     Permission.WELFARE_CHECKS_VIEW),
    "PlacementReview": ("the half-termly review with pupil and parents (8.3)", Permission.REVIEWS_VIEW),
    "PupilProgressEntry": ("progress, achievements and the pupil's voice (8.7)", Permission.REVIEWS_VIEW),
    "PartTimeTimetable": ("a part-time timetable as a short-term intervention with a return to full time (9.1-9.6)",
                          Permission.PART_TIME_VIEW),
    "PartTimeTimetableReview": ("the regular review with the pupil and parents (9.6, 9.7)", Permission.PART_TIME_VIEW),
    "FlexiRequest": ("consider a parent's written request for flexi-schooling (10.2-10.5)", Permission.FLEXI_VIEW),
    "FlexiAgreement": ("the written flexi-schooling agreement (10.6)", Permission.FLEXI_VIEW),
    "FlexiReview": ("the termly review of a flexi-schooling arrangement (10.8)", Permission.FLEXI_VIEW),
    "ProviderEvidenceFile": ("due diligence on providers (7.8)", Permission.PROVIDERS_VIEW),
    "Notification": ("notices to staff, the LA, the VSH and social workers, through the outbox",
                     Permission.EXTERNAL_NOTICES_VIEW),
    "AuditEvent": ("accountability: who did or read what, when (design invariant 7)", Permission.TRUST_ADMIN),
    "WebhookEvent": ("tell the trust's own systems, through its signed webhooks, that a placement started or ended, "
                     "a pupil was not located, a provider was suspended or an LA notice was queued (issue 17): "
                     "record ids and the school, never a name", Permission.TRUST_ADMIN),
}
_PLUMBING = {"id", "school_id", "created_at", "updated_at", "archived_at", "archived_by_id"}


@dataclass(frozen=True)
class Entry:
    record: str
    table: str
    why: str
    fields: list[str]
    third_party: list[str]
    who: list[str]
    kept: str


def _who(permission: Permission) -> list[str]:
    roles = SCHOOL_ROLE_PERMISSIONS if not permission.is_trust else TRUST_ROLE_PERMISSIONS
    return sorted(role.label for role, granted in roles.items() if permission in granted)


def entries() -> list[Entry]:
    models = {m.class_.__name__: m.class_ for m in db.Model.registry.mappers}
    rules = {rule.record: rule for rule in SCHEDULE}
    result = []
    for name, (why, permission) in PURPOSES.items():
        model = models[name]
        fields = [a.key for a in inspect(model).column_attrs if a.key not in _PLUMBING]
        rule = rules.get(name)
        kept = f"{rule.period}, then {rule.action.label.lower()}" if rule and rule.years else "kept"
        if rule and rule.action.value == "keep":
            kept = "kept (" + rule.source + ")"
        elif rule:
            kept += f" ({rule.source})"
        result.append(Entry(name, model.__tablename__, why, fields, list(THIRD_PARTY_FIELDS.get(name, ())),
                            _who(permission), kept))
    return result


def render() -> str:
    lines = [
        "# Data protection: record of processing",
        "",
        "<!-- Generated by `flask data-protection docs` from the models, app/permissions.py and",
        "     app/policy/retention_schedule.py. Do not edit by hand: tests/dataprotection fails when it is stale. -->",
        "",
        "What personal data AP Hub holds about pupils and the people around them, why, who sees it and how long it is",
        "kept. The lawful basis is the school's public task (UK GDPR Article 6(1)(e)); special-category data (health,",
        "SEND, looked-after status) under Article 9(2)(g) with the Data Protection Act 2018, Schedule 1, paragraphs",
        "6 and 18 (statutory purposes, safeguarding of children). Every reading of a pupil's record or a welfare check",
        "is recorded; retention actions wait for the trust data protection officer's approval and stop under a legal",
        "hold; a subject access export is answered within one calendar month.",
        "",
    ]
    for e in entries():
        lines += [
            f"## {e.record} (`{e.table}`)",
            "",
            f"- **Why**: {e.why}.",
            f"- **Who sees it**: {', '.join(e.who) or 'nobody through the pages'}.",
            f"- **How long**: {e.kept}.",
            f"- **Data**: {', '.join(e.fields)}.",
        ]
        if e.third_party:
            lines.append(f"- **Other people's data (reviewed before a subject access release)**: "
                         f"{', '.join(e.third_party)}.")
        lines.append("")
    return "\n".join(lines)


def write(path: Path = DOC) -> Path:
    path.write_text(render(), encoding="utf-8")
    return path
