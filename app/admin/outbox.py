"""The outbox in the trust admin: every notification (failed ones with their error, retried by hand) and
the health of the queues. Runs, like all of the admin, in the trustee's recorded trust scope."""
from __future__ import annotations

from flask import current_app, flash
from flask_admin import BaseView, expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from redis.exceptions import RedisError

from app.admin.base import TrusteeModelView, _refuse, _trustee
from app.extensions import db
from app.mail import FOLDER
from app.models import Audience, Delivery, Notification, NotificationStatus
from app.services.notifications import outbox_counts, retry_failed_notifications
from jobs.outbox import failed_jobs, queue_stats
from jobs.worker import live_workers


def _error_cell(view, context, model, name):
    if not model.last_error:
        return ""
    return Markup('<span class="text-danger">{}</span>').format(escape(model.last_error))


class NotificationView(TrusteeModelView):
    # The app-wide CSRFProtect refuses Flask-Admin's own SecureForm token on POST; a Flask-WTF form carries
    # the token it accepts (and checks it too), so the Retry action works.
    form_base_class = FlaskForm
    can_create = False
    can_edit = False
    can_view_details = True
    # Previous/next, no page count: counting every email ever queued took 217 ms at 2.4 M rows (issue 18).
    simple_list_pager = True
    column_default_sort = ("id", True)
    column_list = ("id", "created_at", "school_id", "audience", "recipient_email", "subject", "urgent", "delivery",
                   "status", "attempts", "next_attempt_at", "sent_at", "reclaimed_at", "last_error")
    # Explicit filters: Flask-Admin's enum filter looks members up by name, our columns store values.
    column_filters = (
        FilterEqual(Notification.status, "Status", options=[(s.value, s.value) for s in NotificationStatus]),
        FilterEqual(Notification.audience, "Audience", options=[(a.value, a.value) for a in Audience]),
        FilterEqual(Notification.delivery, "Delivery", options=[(d.value, d.value) for d in Delivery]),
        "urgent", "school_id",
    )
    named_filter_urls = True  # ?flt0_status_equals=failed: a link queue health can make
    column_searchable_list = ("recipient_email", "subject", "dedupe_key")
    # What a school's email said about a pupil is the school's: the trustee sees who, when and whether it was
    # sent, never the body (issue 13 item 4).
    column_details_exclude_list = ("body_html", "body_text", "context")
    column_labels = {"created_at": "Queued", "school_id": "School", "recipient_email": "To",
                     "next_attempt_at": "Next attempt", "last_error": "Last error", "sent_at": "Sent",
                     "reclaimed_at": "May have been delivered twice (worker stopped while sending)"}
    column_formatters = {"last_error": _error_cell}

    @action("retry", "Retry", "Send the selected failed notifications again?")
    def action_retry(self, ids):
        retried = retry_failed_notifications([int(i) for i in ids], actor_id=current_user.id)
        skipped = len(ids) - len(retried)
        message = f"{len(retried)} notification(s) put back in the outbox; they are sent within a minute."
        if skipped:
            message += f" {skipped} selected notification(s) had not failed and were left as they were."
        flash(message, "success" if retried else "warning")


class QueueHealthView(BaseView):
    def is_accessible(self):
        return _trustee()

    def inaccessible_callback(self, name, **kwargs):
        return _refuse()

    @expose("/")
    def index(self):
        counts = outbox_counts()
        queues, jobs, workers, redis_error = [], [], [], None
        try:
            queues = queue_stats()
            jobs = failed_jobs()[:20]
            workers = live_workers()
        except RedisError as exc:
            redis_error = str(exc) or type(exc).__name__
        config = current_app.config
        mail = (f"development: written to the folder {config['MAIL_FOLDER']}, not sent"
                if config["MAIL_BACKEND"] == FOLDER else f"SMTP via {config['SMTP_HOST']}:{config['SMTP_PORT']}")
        return self.render("admin/queue_health.html", counts=counts, queues=queues, failed_jobs=jobs,
                           workers=workers,
                           redis_error=redis_error, mail=mail, max_attempts=config["OUTBOX_MAX_ATTEMPTS"])


def add_outbox_views(admin) -> None:
    admin.add_view(NotificationView(Notification, db, endpoint="admin_notification", category="Outbox",
                                    name="Notifications"))
    admin.add_view(QueueHealthView(name="Queue health", endpoint="admin_queue_health", category="Outbox"))
