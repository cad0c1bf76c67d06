"""Providers reporting attendance directly (issue 6 item 3; policy 4.5, 7.8): a secure, expiring link, with no
account, to a page listing only today's sessions of one school's pupils at one provider, where the provider
records attendance.

- The attendance officer issues a link for a provider the school has active placements with, valid for
  DEFAULT_DAYS (at most MAX_DAYS); the token is shown once and only its SHA-256 is stored (as API tokens are);
  links are listed and revoked on the school's pages (inside the school's scope).
- The page behind a link runs in the link's school scope. It shows a pupil's first name and surname initial
  only (never a full name, UPN or date of birth): the provider knows the pupil, and a forwarded link must
  disclose as little as possible. An expired, revoked or unknown token is the same 404, so the page is no
  oracle for which tokens exist.
- Every use (a view, a record) is an AuditEvent; requests are rate-limited per link and per client address.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.audit import record_event
from app.extensions import db
from app.models import Audience, Placement, PlacementStatus, Provider, Pupil, School, User
from app.models.attendance import AttendanceSession, ConfirmedVia, ProviderAttendanceLink
from app.services.attendance import Confirmation, ConfirmationRefused, confirm_session
from app.services.notifications import REMOVED_AFTER_SENDING, queue_notification
from app.services.task_notices import external_url
from app.throttles import PROVIDER_LINK_PER_LINK_PER_MINUTE
from tenants import require_school_id, system_scope
from tenants.access import school_record_or_404

log = logging.getLogger(__name__)

TOKEN_PREFIX = "apl_"
DEFAULT_DAYS = 7
MAX_DAYS = 31
# Requests a minute, per link and per client address: Flask-Limiter on the routes (app/throttles.py).
RATE_LIMIT = PROVIDER_LINK_PER_LINK_PER_MINUTE


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# --- the school's side: issue, list, revoke ---------------------------------------------------------------------


@dataclass
class IssueResult:
    link: ProviderAttendanceLink | None = None
    token: str | None = None  # shown once
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def providers_with_active_placements() -> list[Provider]:
    """The providers the current school has active placements with: the only ones a link can be for."""
    ids = select(Placement.provider_id).where(Placement.status == PlacementStatus.ACTIVE,
                                              Placement.archived_at.is_(None))
    return list(db.session.scalars(select(Provider).where(Provider.id.in_(ids)).order_by(Provider.name)))


def link_recipient(provider: Provider) -> tuple[str, str] | None:
    """Who a link is emailed to: the provider's first named contact with an email address, else the provider's
    own email address; (name, email), or None when it has neither."""
    for contact in sorted(provider.contacts, key=lambda c: c.id):
        if contact.archived_at is None and contact.email:
            return contact.name, contact.email
    return (provider.name, provider.email) if provider.email else None


def issue_link(provider_id: int | None, days: int | None, label: str | None, by: User, *,
               email_it: bool = False) -> IssueResult:
    """Issue a link for one provider of the current school, valid for `days` (default 7, at most 31). Commits;
    returns the raw token once. With `email_it` the link also goes to the provider's contact (`link_recipient`)
    through the outbox, in the same transaction. Bad input: the problems by field, nothing saved."""
    errors = {}
    providers = {p.id: p for p in providers_with_active_placements()}
    if provider_id not in providers:
        errors["provider_id"] = "Choose a provider where the school has pupils on active placements."
    recipient = link_recipient(providers[provider_id]) if email_it and provider_id in providers else None
    if email_it and provider_id in providers and recipient is None:
        errors["email_it"] = (f"{providers[provider_id].name} has no contact with an email address: add one on "
                              "the provider's page, or copy the link and send it yourself.")
    days = DEFAULT_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = f"A link lasts from 1 to {MAX_DAYS} days."
    label = (label or "").strip()
    if len(label) > 200:
        errors["label"] = "Keep the label to 200 characters."
    if errors:
        return IssueResult(errors=errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    link = ProviderAttendanceLink(school_id=require_school_id(), provider_id=provider_id, token_hash=_hash(raw),
                                  prefix=raw[:10], label=label or None, created_by_id=by.id,
                                  expires_at=clock.now() + dt.timedelta(days=days), use_count=0)
    db.session.add(link)
    if recipient is not None:
        db.session.flush()
        _email_link(link, raw, *recipient)
        link.label = link.label or f"Emailed to {recipient[0]} ({recipient[1]})"[:200]
    db.session.commit()
    return IssueResult(link=link, token=raw)


def _email_link(link: ProviderAttendanceLink, raw: str, name: str, email: str) -> None:
    """The link in an email to the provider's contact, through the outbox (design invariant 5). The message
    holds the link itself, so it is as private as the link: it expires with it and can be revoked, and the
    stored copy loses it once sent."""
    school = db.session.get(School, link.school_id)
    queue_notification(
        dedupe_key=f"provider-attendance-link:{link.id}", audience=Audience.PROVIDER, recipient_email=email,
        recipient_name=name, template="provider_attendance_link",
        context={"provider_name": link.provider.name if link.provider else "", "school_name": school.name,
                 "link": external_url("provider_attendance.page", {"token": raw}),
                 "expires": f"{clock.to_local(link.expires_at):%-d %B %Y at %H:%M}",
                 REMOVED_AFTER_SENDING: ["link"]},  # the outbox keeps no working link once it is sent
        about_type="provider", about_id=link.provider_id, about_label=f"Attendance link ({link.prefix}…)")


def school_links() -> list[ProviderAttendanceLink]:
    return list(db.session.scalars(select(ProviderAttendanceLink)
                                   .options(selectinload(ProviderAttendanceLink.provider),
                                            selectinload(ProviderAttendanceLink.created_by))
                                   .order_by(ProviderAttendanceLink.created_at.desc(), ProviderAttendanceLink.id.desc())))


def link_state(link: ProviderAttendanceLink, now: dt.datetime | None = None) -> str:
    now = now or clock.now()
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= now else "live"


def revoke_link(link_id: int, by: User) -> ProviderAttendanceLink:
    """Revoke one of the current school's links (404 for another school's). Commits."""
    link = school_record_or_404(ProviderAttendanceLink, link_id)
    if link.revoked_at is None:
        link.revoked_at = clock.now()
        link.revoked_by_id = by.id
        db.session.commit()
    return link


# --- the provider's side: the page behind the link --------------------------------------------------------------


def live_link(token: str) -> ProviderAttendanceLink | None:
    """The link behind a token if it is live (not expired, not revoked); None for any other token, alike."""
    if not token or len(token) > 100:
        return None
    with system_scope("provider attendance link: which school the token belongs to"):
        link = db.session.scalar(select(ProviderAttendanceLink).where(ProviderAttendanceLink.token_hash == _hash(token)))
    if link is None or link_state(link) != "live":
        return None
    return link


@dataclass(frozen=True)
class LinkSession:
    """A session as the provider sees it: first name and surname initial only."""

    id: int
    pupil: str
    session: str
    starts_at: dt.time
    outcome: str | None
    minutes_late: int | None
    confirmed_at: dt.datetime | None


def pupil_as_provider_sees(pupil: Pupil) -> str:
    return f"{pupil.preferred_name or pupil.first_name} {pupil.last_name[:1]}."


def todays_sessions(link: ProviderAttendanceLink) -> list[AttendanceSession]:
    """Today's sessions of the link's school's pupils at the link's provider (inside the link's school scope), as
    the 07:30 sweep made them (opening the page writes no session)."""
    today = clock.today()
    return list(db.session.scalars(
        select(AttendanceSession).join(Pupil, Pupil.id == AttendanceSession.pupil_id)
        .where(AttendanceSession.day == today, AttendanceSession.provider_id == link.provider_id)
        .options(selectinload(AttendanceSession.pupil))
        .order_by(AttendanceSession.starts_at, Pupil.first_name, Pupil.last_name, AttendanceSession.session)))


def page_sessions(link: ProviderAttendanceLink) -> list[LinkSession]:
    return [LinkSession(s.id, pupil_as_provider_sees(s.pupil), s.session.value.upper(), s.starts_at,
                        s.outcome.value if s.outcome else None, s.minutes_late, s.confirmed_at)
            for s in todays_sessions(link)]


def note_use(link: ProviderAttendanceLink, action: str, client_address: str | None, detail: str = "") -> None:
    """Every use of a link is in the audit trail (who: the link; from where; what)."""
    link.last_used_at = clock.now()
    link.use_count = (link.use_count or 0) + 1
    record_event(db.session, f"provider_link_{action}", "ProviderAttendanceLink", link.id, school_id=link.school_id,
                 detail=f"{action} from {client_address or 'unknown address'}{': ' + detail if detail else ''}"[:500])


class NotThisLinks(LookupError):
    """The session is not one of today's sessions behind this link (another school's, another provider's, or
    another day's): a 404."""


def record_by_link(link: ProviderAttendanceLink, session_id: int, confirmation: Confirmation,
                   client_address: str | None) -> AttendanceSession:
    """Policy 4.5, 7.8: the provider records one of today's sessions through its link. Raises NotThisLinks
    for any other session, ConfirmationRefused (errors by field, nothing saved) for bad input. Commits."""
    session = next((s for s in todays_sessions(link) if s.id == session_id), None)
    if session is None:
        db.session.rollback()
        raise NotThisLinks(session_id)
    confirmation = Confirmation(confirmation.outcome, ConfirmedVia.PROVIDER_LINK.value, confirmation.minutes_late,
                                confirmation.absence_reason, confirmation.note)
    try:
        confirm_session(session, confirmation, user_id=None, provider_link_id=link.id)
    except ConfirmationRefused:
        db.session.rollback()
        raise
    note_use(link, "record", client_address,
             f"session {session.id} {confirmation.outcome}"
             f"{' ' + str(confirmation.minutes_late) + ' min' if confirmation.minutes_late else ''}")
    db.session.commit()
    return session
