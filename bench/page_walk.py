"""Every GET page of the URL map, as the role that can open it sees it: server time (p50/p95) and SQL statements.

`walk(app, ...)` is shared by the benchmark (bench/pages.py, on the generated trust on PostgreSQL) and the
statement-count test (tests/ops/test_page_statements.py, a small generated trust). Ids come from the generated
data: the busiest school (most active placements) for school pages, its placement and pupil with the most
attendance history, the first row of that school for every other id. A page whose ids the data has none of is
listed as skipped, and a page no role opens with a 200 as refused, so the report shows what was not measured.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass, field

from sqlalchemy import event, func, select

PASSWORD = "bench-password-1"

# Routes that are not pages: assets, probes, tokens mailed to someone, admin plumbing behind the list pages.
_SKIP_ENDPOINT_PARTS = (".ajax_lookup", ".export", ".create_view", ".edit_view", ".details_view")
_SKIP_ENDPOINTS = {"static", "admin.static", "ops_metrics.metrics", "auth.favicon", "auth.sign_in",
                   "two_factor.challenge", "accounts.forgot_password", "auth.home"}

# url argument -> the model whose first row of the busiest school fills it.
_ID_MODELS = {
    "welfare_check_id": "WelfareCheck", "task_id": "Task", "report_id": "HeadteacherReport",
    "complaint_id": "Complaint", "half_term_id": "HalfTerm", "provider_id": "Provider", "check_id": "ProviderCheck",
    "check_item_id": "ProviderCheckItem", "concern_id": "ProviderConcern", "evidence_file_id": "ProviderEvidenceFile",
    "direction_id": "OffSiteDirection", "review_id": "PlacementReview", "qa_activity_id": "QAActivity",
    "follow_up_id": "FollowUpAction", "timetable_id": "PartTimeTimetable", "request_id": "SubjectAccessRequest",
    "flexi_request_id": "FlexiRequest", "flexi_agreement_id": "FlexiAgreement",
    "attendance_session_id": "AttendanceSession",
}

# The pages people open most, measured for throughput under gunicorn (bench/pages.py).
BUSIEST = ("attendance.index", "school.dashboard", "placements.index", "placements.show", "pupils.show")


@dataclass
class PageResult:
    endpoint: str
    url: str
    role: str | None = None
    status: int | None = None
    statements: list[int] = field(default_factory=list)  # per measured request
    p50_ms: float | None = None
    p95_ms: float | None = None
    bytes: int | None = None
    note: str = ""

    @property
    def is_trust(self) -> bool:
        return self.url.startswith("/trust") or self.url.startswith("/admin")

    def as_dict(self) -> dict:
        return {**asdict(self), "max_statements": max(self.statements, default=None),
                "min_statements": min(self.statements, default=None)}


def world_ids(busiest_school_id: int | None = None) -> dict:
    """The ids the walk fills URLs with (the system scope: it reads across the trust)."""
    from app import models
    from app.extensions import db
    from tenants import system_scope

    with system_scope("benchmark: the ids the page walk opens"):
        if busiest_school_id is None:
            busiest_school_id = db.session.scalar(
                select(models.Placement.school_id).group_by(models.Placement.school_id)
                .order_by(func.count().desc(), models.Placement.school_id).limit(1))
        school = db.session.get(models.School, busiest_school_id)
        ids = {"school_id": school.id, "school_slug": school.slug, "export_type": "csv"}
        placement = db.session.execute(
            select(models.AttendanceSession.placement_id, models.AttendanceSession.pupil_id)
            .where(models.AttendanceSession.school_id == school.id)
            .group_by(models.AttendanceSession.placement_id, models.AttendanceSession.pupil_id)
            .order_by(func.count().desc(), models.AttendanceSession.placement_id).limit(1)).first()
        if placement is not None:
            ids["placement_id"], ids["pupil_id"] = placement
        for name in ("placement_id", "pupil_id"):
            if name not in ids:
                model = models.Placement if name == "placement_id" else models.Pupil
                ids[name] = db.session.scalar(select(model.id).where(model.school_id == school.id)
                                              .order_by(model.id).limit(1))
        ids["provider_id"] = db.session.scalar(select(models.Placement.provider_id)
                                               .where(models.Placement.id == ids["placement_id"]))
        for arg, model_name in _ID_MODELS.items():
            if ids.get(arg) is not None:
                continue
            model = getattr(models, model_name)
            query = select(model.id).order_by(model.id).limit(1)
            if hasattr(model, "school_id"):
                query = query.where(model.school_id == school.id)
            ids[arg] = db.session.scalar(query)
        return {k: v for k, v in ids.items() if v is not None}


def sign_ins(school_id: int) -> list[tuple[str, str]]:
    """(role, email) of every generated user worth trying: the busiest school's roles, then every trust role."""
    from app.extensions import db
    from app.models import SchoolRole, TrustRole, User
    from tenants import system_scope

    with system_scope("benchmark: who the page walk signs in as"):
        school = db.session.execute(select(SchoolRole.role, User.email).join(User, User.id == SchoolRole.user_id)
                                    .where(SchoolRole.school_id == school_id).order_by(SchoolRole.role)).all()
        trust = db.session.execute(select(TrustRole.role, User.email).join(User, User.id == TrustRole.user_id)
                                   .order_by(TrustRole.role)).all()
    first = ("headteacher", "ap_leader", "dsl", "attendance_officer")
    school = sorted((_value(r.role), r.email) for r in school)
    school.sort(key=lambda r: first.index(r[0]) if r[0] in first else len(first))
    return [(f"school:{role}", email) for role, email in school] + \
        [(f"trust:{_value(r.role)}", r.email) for r in trust]


def _value(role) -> str:
    return getattr(role, "value", role)


def page_urls(app, ids: dict) -> list[PageResult]:
    from flask import url_for

    pages = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint in _SKIP_ENDPOINTS \
                    or any(part in rule.endpoint for part in _SKIP_ENDPOINT_PARTS):
                continue
            missing = [a for a in rule.arguments if a not in ids]
            if missing:
                pages.append(PageResult(rule.endpoint, rule.rule, note=f"skipped: no {', '.join(missing)} in the data"))
                continue
            pages.append(PageResult(rule.endpoint, url_for(rule.endpoint, **{a: ids[a] for a in rule.arguments})))
    return pages


class StatementCounter:
    def __init__(self, engine):
        self.n = 0
        self.engine = engine
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args):
        self.n += 1

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._count)


class _Visitor:
    """One person: a browser signed in through the form, and for the API a personal token per URL (so the
    per-token rate limit never answers for the walk)."""

    def __init__(self, app, email: str):
        self.app, self.email = app, email
        self.client = app.test_client()
        self._tokens: dict[str, str] = {}
        with app.app_context():
            signed = self.client.post("/sign-in", data={"email": email, "password": PASSWORD})
        if signed.status_code not in (302, 303):
            raise RuntimeError(f"could not sign in as {email}: {signed.status_code}")

    def headers(self, url: str) -> dict:
        if not url.startswith("/api/") or url.endswith("openapi.json"):
            return {}
        if url not in self._tokens:
            from app.extensions import db
            from app.models import User
            from app.services import api_tokens
            from tenants import system_scope

            with self.app.app_context(), system_scope("benchmark: an API token for the page walk"):
                user = db.session.scalar(select(User).where(User.email == self.email))
                self._tokens[url] = api_tokens.issue(user, "page walk")
                db.session.remove()
        return {"Authorization": f"Bearer {self._tokens[url]}"}


def _get(app, visitor: _Visitor, url: str, counter: StatementCounter):
    headers = visitor.headers(url)
    counter.n = 0
    t0 = time.perf_counter()
    with app.app_context():
        response = visitor.client.get(url, headers=headers)
    ms, statements = (time.perf_counter() - t0) * 1000, counter.n
    response.close()  # as a WSGI server does once the response is sent (app.heap settles then)
    return response, ms, statements


def walk(app, requests: int = 10, only: set[str] | None = None, log=None) -> list[PageResult]:
    """Open every page: the first role (school roles first, then trust roles) it answers 200 for; then the page
    `requests` more times as that role (the first request warms caches and is not counted)."""
    from app.extensions import db

    with app.app_context():
        ids = world_ids()
        people = sign_ins(ids["school_id"])
        engine = db.engine
        db.session.remove()
    clients: dict[str, object] = {}
    counter = StatementCounter(engine)
    pages = [p for p in page_urls(app, ids) if only is None or p.endpoint in only]
    try:
        for page in pages:
            if page.note:
                continue
            _open(app, page, people, clients, counter, requests)
            if log:
                log(f"{page.url}: {page.status} {page.role} {page.statements[:1]} {page.p95_ms} ms")
    finally:
        counter.close()
    return pages


def _open(app, page: PageResult, people, clients, counter, requests: int) -> None:
    statuses = set()
    if page.is_trust:  # trust and admin pages: the trust roles first (the walk is in the ordinary suite)
        people = sorted(people, key=lambda person: not person[0].startswith("trust:"))
    for role, email in people:
        if role not in clients:
            clients[role] = _Visitor(app, email)
        response, _, _ = _get(app, clients[role], page.url, counter)
        statuses.add(response.status_code)
        if response.status_code == 200:
            page.role, page.status = role, 200
            break
    else:
        page.status = min(statuses)
        page.note = f"refused: no role got a 200 ({', '.join(str(s) for s in sorted(statuses))})"
        return
    times = []
    for _ in range(requests):
        response, ms, statements = _get(app, clients[page.role], page.url, counter)
        times.append(ms)
        page.statements.append(statements)
    times.sort()
    page.p50_ms = round(statistics.median(times), 1)
    page.p95_ms = round(times[max(int(len(times) * 0.95) - 1, 0)], 1)
    page.bytes = len(response.data)


def table(pages: list[PageResult]) -> str:
    lines = [f"{'page':<72} {'role':<28} {'stmts':>5} {'p50 ms':>8} {'p95 ms':>8} {'KB':>6}"]
    for p in pages:
        if p.note:
            lines.append(f"{p.url:<72} {p.note}")
            continue
        low, high = min(p.statements, default=0), max(p.statements, default=0)
        counts = f"{low}" if low == high else f"{low}-{high}"  # a request that also touched the session: more
        lines.append(f"{p.url:<72} {p.role:<28} {counts:>5} {p.p50_ms:>8} {p.p95_ms:>8} "
                     f"{(p.bytes or 0) / 1024:>6.0f}")
    return "\n".join(lines)
