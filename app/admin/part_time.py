"""Flask-Admin: each local authority's procedure for reporting part-time timetables (policy 9.7), kept by the
designated trustee as data: which events it is told of, and how often it wants a return of current timetables."""
from __future__ import annotations

from wtforms import SelectMultipleField, widgets

from app.admin.base import TrusteeModelView
from app.extensions import db
from app.models.part_time import LAReportingProcedure
from app.policy.part_time_timetables import NoticeEvent


class LAReportingProcedureView(TrusteeModelView):
    column_list = ("local_authority", "notify_on", "return_frequency", "notes")
    form_columns = ("local_authority", "notify_on_events", "return_frequency", "notes")
    form_extra_fields = {
        "notify_on_events": SelectMultipleField(
            "Notify the LA on", choices=[(e.value, e.value.title()) for e in NoticeEvent],
            widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput(),
            description="A notice through the outbox when a part-time timetable starts, changes or ends (9.7)."),
    }

    def on_form_prefill(self, form, id):
        model = self.get_one(id)
        form.notify_on_events.data = list(model.notify_on or [])

    def on_model_change(self, form, model, is_created):
        model.notify_on = [e.value for e in NoticeEvent if e.value in (form.notify_on_events.data or [])]


def add_part_time_views(admin) -> None:
    admin.add_view(LAReportingProcedureView(LAReportingProcedure, db, endpoint="admin_la_reporting",
                                            category="Local authorities", name="Part-time timetable reporting"))
