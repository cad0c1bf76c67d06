"""Vetting a provider: the pre-placement checks (7.8), the risk assessment and its approval (7.8, 7.9), material change."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import (
    CheckOutcome,
    CheckStatus,
    PlacementStatus,
    Provider,
    ProviderCheck,
    ProviderCheckItem,
    ProviderEvidenceFile,
    ProviderRiskAssessment,
    RiskRating,
    School,
    User,
)
from app.policy.provider_checks import (
    ITEMS_BY_CODE,
    CheckItem,
    evidence_problem,
    item_problem,
    items_for,
    missing_check_items,
    missing_provider_details,
)
from app.policy.provider_vetting import VettingStatus
from app.roles import SchoolRoleName
from app.services import evidence
from app.services.notifications import queue_for_users
from app.services.tasks import END_OF_SCHOOL_DAY, TaskKind, complete_tasks_for, ensure_task, school_role_holders
from app.state_changes import still
from tenants import school_scope

from .base import SUBJECT, Result
from .suspension import _provider_url, _schools_with_placements

# --- pre-placement checks (7.8) ------------------------------------------------------------------------------


def checks_of(provider: Provider) -> list[ProviderCheck]:
    """Every round of checks on the provider, newest first, whichever school made it."""
    return list(db.session.scalars(select(ProviderCheck).where(
        ProviderCheck.provider_id == provider.id, ProviderCheck.archived_at.is_(None))
        .order_by(ProviderCheck.created_at.desc(), ProviderCheck.id.desc())))


def start_check(provider: Provider, school: School, user: User) -> ProviderCheck:
    """A round of pre-placement checks (7.8) with one item per policy item for the provider's kind. Due
    diligence is shared: when a round is already in progress (by any school) it is that round. Commits."""
    current = db.session.scalar(select(ProviderCheck).where(
        ProviderCheck.provider_id == provider.id, ProviderCheck.status == CheckStatus.IN_PROGRESS,
        ProviderCheck.archived_at.is_(None)).order_by(ProviderCheck.id.desc()).limit(1))
    if current is not None:
        return current
    check = ProviderCheck(provider_id=provider.id, made_by_school_id=school.id, started_by_id=user.id,
                          status=CheckStatus.IN_PROGRESS)
    check.items = [ProviderCheckItem(item=item.code) for item in items_for(provider.kind)]
    db.session.add(check)
    db.session.commit()
    return check


@dataclass(frozen=True)
class ChecklistLine:
    item: CheckItem
    row: ProviderCheckItem | None
    problem: str | None  # None when done
    files: list[ProviderEvidenceFile]


def checklist(check: ProviderCheck) -> list[ChecklistLine]:
    """Every item for the provider's kind, in the policy's order, with what was recorded and its files."""
    rows = {row.item: row for row in check.items}
    row_ids = [row.id for row in check.items]
    files: dict[int, list[ProviderEvidenceFile]] = {}
    if row_ids:
        for f in db.session.scalars(select(ProviderEvidenceFile).where(
                ProviderEvidenceFile.check_item_id.in_(row_ids), ProviderEvidenceFile.archived_at.is_(None))
                .order_by(ProviderEvidenceFile.id)):
            files.setdefault(f.check_item_id, []).append(f)
    return [ChecklistLine(item, rows.get(item.code), item_problem(rows.get(item.code)),
                          files.get(rows[item.code].id, []) if item.code in rows else [])
            for item in items_for(check.provider.kind)]


def ensure_check_item(check: ProviderCheck, code: str) -> ProviderCheckItem:
    """The row for an item (made when the provider's kind changed after the round began)."""
    for row in check.items:
        if row.item == code:
            return row
    row = ProviderCheckItem(check_id=check.id, item=code)
    check.items.append(row)
    db.session.flush()
    return row


@dataclass(frozen=True)
class CheckAnswer:
    """One item answered on the checklist page: its outcome, the evidence note (or, for not applicable, why) and
    any files."""

    row: ProviderCheckItem
    outcome: CheckOutcome | None
    text: str | None = None
    uploads: Sequence[tuple[str, bytes]] = ()


def _answer_problems(row: ProviderCheckItem, outcome: CheckOutcome | None, not_applicable_reason: str | None,
                     evidence_note: str | None, checked_on: dt.date | None, uploads: Sequence[tuple[str, bytes]]
                     ) -> tuple[dict[str, str], list]:
    """What is wrong with one item's answer (7.8), by field, and the uploads as checked."""
    errors: dict[str, str] = {}
    if row.check.status != CheckStatus.IN_PROGRESS:
        errors["outcome"] = "This round of checks is complete: start a new round to record checks again."
    if outcome is None:
        errors["outcome"] = "Choose met, not met or not applicable."
    if outcome == CheckOutcome.NOT_APPLICABLE and not (not_applicable_reason or "").strip():
        errors["not_applicable_reason"] = "Say why this check does not apply to this provider."
    if checked_on is not None and checked_on > clock.today():
        errors["checked_on"] = "The date checked cannot be in the future."
    checked = []
    for name, data in uploads:
        try:
            checked.append(evidence.check_upload(name, data))
        except evidence.EvidenceRefused as refused:
            errors["files"] = str(refused)
            break
    kept = len(_files_of(row)) if row.id is not None else 0
    if (missing_evidence := evidence_problem(outcome, evidence_note, kept + len(uploads))) and not errors:
        errors["evidence_note"] = missing_evidence
    return errors, checked


def _files_of(row: ProviderCheckItem) -> list[ProviderEvidenceFile]:
    return list(db.session.scalars(select(ProviderEvidenceFile).where(
        ProviderEvidenceFile.check_item_id == row.id, ProviderEvidenceFile.archived_at.is_(None))))


def _apply_answer(row: ProviderCheckItem, outcome: CheckOutcome, not_applicable_reason: str | None,
                  evidence_note: str | None, checked_on: dt.date | None, checked: list, school: School,
                  user: User) -> None:
    row.outcome = outcome
    row.not_applicable_reason = (not_applicable_reason or "").strip() or None \
        if outcome == CheckOutcome.NOT_APPLICABLE else None
    row.evidence_note = (evidence_note or "").strip() or None
    row.checked_by_id = user.id
    row.checked_on = checked_on or clock.today()
    for upload in checked:
        evidence.store_evidence(upload, provider_id=row.check.provider_id, user_id=user.id, school_id=school.id,
                                check_item_id=row.id)


def record_check_item(row: ProviderCheckItem, *, outcome: CheckOutcome | None, not_applicable_reason: str | None,
                      evidence_note: str | None, checked_on: dt.date | None, uploads: Sequence[tuple[str, bytes]],
                      school: School, user: User) -> Result:
    """Record one check item (7.8): outcome, the reason when not applicable, evidence (a note or files; a met item
    needs one), who and when. All or nothing: a refused file saves nothing. Commits."""
    errors, checked = _answer_problems(row, outcome, not_applicable_reason, evidence_note, checked_on, uploads)
    if errors:
        return Result(errors=errors)
    _apply_answer(row, outcome, not_applicable_reason, evidence_note, checked_on, checked, school, user)
    db.session.commit()
    return Result(record=row)


def record_check_answers(answers: Sequence[CheckAnswer], *, school: School, user: User) -> Result:
    """Record several items answered in place on the checklist page (issue 14 item 2), each by the same rules as
    `record_check_item`: the text is the evidence note, or the reason for a check that does not apply. All or
    nothing: one item refused saves none, and the errors are keyed "<item code>-<field>". Commits."""
    errors: dict[str, str] = {}
    ready = []
    for answer in answers:
        not_applicable = answer.outcome == CheckOutcome.NOT_APPLICABLE
        problems, checked = _answer_problems(
            answer.row, answer.outcome, answer.text if not_applicable else None,
            None if not_applicable else answer.text, None, answer.uploads)
        problems = {("text" if name in ("not_applicable_reason", "evidence_note") else name): message
                    for name, message in problems.items()}
        errors.update({f"{answer.row.item}-{name}": message for name, message in problems.items()})
        ready.append((answer, not_applicable, checked))
    if not answers:
        errors["answers"] = "Choose an outcome for at least one check."
    if errors:
        return Result(errors=errors)
    for answer, not_applicable, checked in ready:
        _apply_answer(answer.row, answer.outcome, answer.text if not_applicable else None,
                      None if not_applicable else answer.text, None, checked, school, user)
    db.session.commit()
    return Result(record=answers[0].row.check)


def missing_details(provider: Provider) -> list[str]:
    """What the provider's record still lacks for vetting (a site, a contact), in words (7.8)."""
    return missing_provider_details(
        provider.kind, sum(1 for s in provider.sites if s.archived_at is None),
        sum(1 for c in provider.contacts if c.archived_at is None))


def missing_items(check: ProviderCheck) -> list[str]:
    """The item codes still stopping approval (7.8)."""
    return missing_check_items({row.item: row for row in check.items}, check.provider.kind)


def item_label(code: str) -> str:
    return ITEMS_BY_CODE[code].label if code in ITEMS_BY_CODE else code


# --- the risk assessment and its approval (7.8, 7.9) ---------------------------------------------------------


def risk_assessments_of(provider: Provider) -> list[ProviderRiskAssessment]:
    return list(db.session.scalars(select(ProviderRiskAssessment).where(
        ProviderRiskAssessment.provider_id == provider.id, ProviderRiskAssessment.archived_at.is_(None))
        .order_by(ProviderRiskAssessment.created_at.desc(), ProviderRiskAssessment.id.desc())))


def approve_risk_assessment(check: ProviderCheck, *, rating: RiskRating | None, risks: str | None,
                            mitigations: str | None, school: School, user: User) -> Result:
    """The provider risk assessment made from a complete round of checks, approved by an AP leader (7.8). Refused,
    with the missing items listed, while any item is not done. Approval vets the provider for 12 months (7.9),
    completes the round, and closes this school's renewal tasks. Commits."""
    errors: dict[str, str] = {}
    if check.status != CheckStatus.IN_PROGRESS:
        errors["rating"] = "This round of checks already has an approved risk assessment."
        return Result(errors=errors)
    missing = missing_items(check)
    if missing:
        errors["items"] = "These checks are not done yet: " + "; ".join(item_label(c) for c in missing) + "."
    if details := missing_details(check.provider):
        errors["details"] = "The provider's record is not complete: " + " ".join(details)
    if rating is None:
        errors["rating"] = "Choose the risk rating."
    if rating in (RiskRating.MEDIUM, RiskRating.HIGH) and not (mitigations or "").strip():
        errors["mitigations"] = "Say how the risks will be mitigated."
    if errors:
        return Result(errors=errors, missing=missing)
    if not still(ProviderCheck, check.id, ProviderCheck.status == CheckStatus.IN_PROGRESS):
        db.session.rollback()  # approved by someone else a moment ago
        return Result(errors={"rating": "This round of checks already has an approved risk assessment."})
    assessment = ProviderRiskAssessment(
        provider_id=check.provider_id, check_id=check.id, made_by_school_id=school.id, rating=rating,
        risks=(risks or "").strip() or None, mitigations=(mitigations or "").strip() or None,
        approved_by_id=user.id, approved_at=clock.now())
    db.session.add(assessment)
    check.status = CheckStatus.COMPLETE
    complete_tasks_for(SUBJECT, check.provider_id, [TaskKind.PROVIDER_CHECK_EXPIRING], user)
    db.session.commit()
    return Result(record=assessment)


def lapsed_task_key(provider: Provider) -> str:
    """The dedupe key of a school's "vetting has lapsed" task for the provider's latest material change. The
    vetting sweep makes the same task for schools with an active placement, so both name it this way (one task
    per provider per change, whoever makes it first)."""
    return f"provider-{VettingStatus.LAPSED_MATERIAL_CHANGE.value}:{provider.id}:" \
           f"{clock.to_local(provider.material_change_at).date()}"


def record_material_change(provider: Provider, note: str, school: School, user: User) -> Result:
    """7.9: a material change in provision or circumstances lapses the vetting until a new risk assessment is
    approved. Every school with a planned or active placement there is told at once: its AP leader(s) and DSL(s)
    are emailed and its AP leader gets a renewal task (urgent where pupils are there now). Commits."""
    if not (note or "").strip():
        return Result(errors={"note": "Describe what has changed."})
    provider.material_change_at = clock.now()
    provider.material_change_note = f"{note.strip()} (recorded by {user.full_name}, {school.name})"
    db.session.flush()
    using = _schools_with_placements(provider.id, (PlacementStatus.PLANNED, PlacementStatus.ACTIVE))
    active = _schools_with_placements(provider.id, (PlacementStatus.ACTIVE,))
    key = lapsed_task_key(provider)
    for school_id in sorted(using):
        with school_scope(school_id):
            now_there = school_id in active
            people = (school_role_holders(school_id, SchoolRoleName.AP_LEADER)
                      + school_role_holders(school_id, SchoolRoleName.DSL))
            queue_for_users(people, dedupe_key=f"{key}:school:{school_id}", template="provider_material_change",
                            context={"provider_name": provider.name, "note": provider.material_change_note,
                                     "placements": using[school_id], "link": _provider_url(school_id, provider.id)},
                            urgent=now_there, about_type=SUBJECT, about_id=provider.id,
                            about_label=provider.name[:200], school_id=school_id)
            due = clock.now() if now_there else clock.local_datetime(clock.today() + timedelta(days=1),
                                                                      END_OF_SCHOOL_DAY)
            ensure_task(TaskKind.PROVIDER_CHECK_EXPIRING, key,
                        f"{provider.name}: vetting has lapsed (a material change was recorded). Renew the checks "
                        "for your placements there (no new placements)", due,
                        assigned_role=SchoolRoleName.AP_LEADER, subject=(SUBJECT, provider.id),
                        link=("providers.show", {"provider_id": provider.id}), urgent=now_there,
                        detail=provider.material_change_note[:500])
            db.session.flush()  # inside this school's scope: its rows are written as its own
    db.session.commit()
    return Result(record=provider, schools_told=sorted(using))
