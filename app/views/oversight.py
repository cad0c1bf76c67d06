"""Trust oversight pages (issue 16): the trust safeguarding picture, the trust role's inbox of what has escalated
to it, and read-only views of one school's record opened from them. Every page is a cross-school read inside an
audited trust scope; nothing here changes a record (the school acts; the trust sees). Thin: parse, call a
service, render."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from app import clock
from app.permissions import Permission, has_trust_permission, trust_permission
from app.policy.welfare import METHODS, MISSING_CHILD_STEPS, OUTCOMES
from app.services import ap_report
from app.services import trust_safeguarding as service
from app.services.ap_report import terms_of
from app.services.ap_report_pdf import trust_report_pdf as pdf
from app.services.calendar import calendar_for_schools
from app.services.schools import all_schools
from app.services.trust_report import trust_report as build
from tenants import trust_scope

bp = Blueprint("oversight", __name__, url_prefix="/trust")


def _trust_roles():
    return [tr.role for tr in current_user.trust_roles]


@bp.route("/safeguarding")
@trust_permission(Permission.TRUST_SAFEGUARDING_VIEW)
def safeguarding():
    # Read before the audited trust scope commits (the commit expires the user: asking after it reloads them).
    roles = _trust_roles()
    with trust_scope(current_user.id, "trust safeguarding picture: welfare checks, not located, escalations"):
        picture = service.safeguarding_picture(trust_roles=roles)
        counts = service.counts_by_school(picture)
        return render_template("oversight/safeguarding.html", picture=picture, counts=counts,
                               outcomes=OUTCOMES)


@bp.route("/inbox")
@trust_permission(Permission.TRUST_VIEW)
def inbox():
    """What has escalated to the viewer's trust roles, in every school."""
    with trust_scope(current_user.id, "trust inbox: tasks escalated to a trust role"):
        tasks = service.escalated_to(_trust_roles())
        schools = service.school_names({t.school_id for t in tasks})
        return render_template("oversight/inbox.html", tasks=tasks, schools=schools)


@bp.route("/welfare-checks/<int:welfare_check_id>")
@trust_permission(Permission.TRUST_SAFEGUARDING_VIEW)
def welfare_check(welfare_check_id: int):
    with trust_scope(current_user.id, f"trust read: welfare check {welfare_check_id}"):
        check = service.welfare_check_for_trust(welfare_check_id)
        if check is None:
            abort(404)
        tasks = service.tasks_about("welfare_check", check.id, check.school_id)
        return render_template("oversight/welfare_check.html", check=check, school=service.school_of(check.school_id),
                               tasks=tasks, people=service.names_of_people({t.assigned_user_id for t in tasks}),
                               methods=METHODS, outcomes=OUTCOMES, steps=MISSING_CHILD_STEPS)


@bp.route("/tasks/<int:task_id>")
@trust_permission(Permission.TRUST_VIEW)
def task(task_id: int):
    """A task of any school, read-only. Its detail (which may carry a family's contacts) only for the trust
    safeguarding lead or a role it has escalated to."""
    with trust_scope(current_user.id, f"trust read: task {task_id}"):
        found = service.task_for_trust(task_id)
        if found is None:
            abort(404)
        escalated_here = found in service.escalated_to(_trust_roles())
        safeguarding = has_trust_permission(current_user, Permission.TRUST_SAFEGUARDING_VIEW)
        return render_template("oversight/task.html", task=found, school=service.school_of(found.school_id),
                               show_detail=escalated_here or safeguarding, escalated_here=escalated_here,
                               can_see_welfare=safeguarding)


@bp.route("/reports/<int:report_id>")
@trust_permission(Permission.TRUST_REPORTS_VIEW)
def trust_report_of_school(report_id: int):
    """4.2: a school's report as the trust receives it (sent to the trust), read-only."""
    with trust_scope(current_user.id, f"trust read: headteacher's report {report_id}"):
        report = service.report_for_trust(report_id)
        if report is None:
            abort(404)
        school = service.school_of(report.school_id)
        data = ap_report.report_data(school, report.label, report.first_day, report.last_day)
        return render_template("oversight/trust_school_report.html", report=report, data=data,
                               charts=ap_report.charts_for(data), school=school)


@bp.route("/report")
@trust_permission(Permission.TRUST_REPORTS_VIEW)
def trust_report():
    """4.2: every school side by side for a term (default: the last term that has started) or a date range."""
    asked = _asked_period()
    # One audited scope for the terms, the schools and the figures (each scope is an audit row and a reload).
    with trust_scope(current_user.id, f"trust report: {asked[0] if asked else 'the latest term'}"):
        schools = all_schools()
        terms = _terms(schools)
        report = build(*(asked or _latest(terms)), schools=schools)
        return render_template("oversight/trust_report.html", report=report, terms=terms)


@bp.route("/report.pdf")
@trust_permission(Permission.TRUST_REPORTS_VIEW)
def trust_report_pdf():
    asked = _asked_period()
    with trust_scope(current_user.id, f"trust report PDF: {asked[0] if asked else 'the latest term'}"):
        schools = all_schools()
        label, first_day, last_day = asked or _latest(_terms(schools))
        data = pdf(build(label, first_day, last_day, schools=schools))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="ap-trust-report-{first_day}.pdf"'})


def _terms(schools) -> list:
    """The terms of the trust's calendar, taken from its first school's (schools share LA term dates)."""
    if not schools:
        return []
    return [t for t in terms_of(calendar_for_schools([schools[0].id])[schools[0].id])
            if t.first_day <= clock.today()]


def _asked_period():
    """(label, first, last) from ?from=&to=&label= or ?term=first|last|label; None when none is asked (the latest
    term, `_latest`). A 400 when the period is not one a report can cover (app.services.ap_report.period_errors)."""
    try:
        if request.args.get("term"):
            first, last, label = request.args["term"].split("|", 2)
            first, last = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        elif request.args.get("from") and request.args.get("to"):
            first, last = dt.date.fromisoformat(request.args["from"]), dt.date.fromisoformat(request.args["to"])
            label = request.args.get("label") or f"{first:%-d %b %Y} to {last:%-d %b %Y}"
        else:
            return None
    except ValueError:
        abort(400)
    if ap_report.period_errors(first, last, clock.today()):
        abort(400)
    return label, first, last


def _latest(terms) -> tuple[str, dt.date, dt.date]:
    """The default period: the latest term that has started, up to today; else the last 90 days."""
    if terms:
        return terms[-1].label, terms[-1].first_day, min(terms[-1].last_day, clock.today())
    today = clock.today()
    return "The last 90 days", today - dt.timedelta(days=90), today
