"""The JSON API under /api/v1: bearer tokens, marshmallow schemas, an OpenAPI document."""
# Each resource module adds its routes to `bp` when imported, so every one is imported here before registering.
from app.api import attendance as _attendance_routes  # noqa: F401
from app.api import census as _census_routes  # noqa: F401
from app.api import flexi_schooling as _flexi_routes  # noqa: F401
from app.api import outbox as _outbox_routes  # noqa: F401
from app.api import part_time as _part_time_routes  # noqa: F401
from app.api import placement_writes as _placement_write_routes  # noqa: F401
from app.api import placements as _placement_routes  # noqa: F401
from app.api import provider_links as _provider_link_routes  # noqa: F401
from app.api import provider_writes as _provider_write_routes  # noqa: F401
from app.api import providers as _provider_routes  # noqa: F401
from app.api import pupil_records as _pupil_record_routes  # noqa: F401
from app.api import pupils as _pupil_routes  # noqa: F401
from app.api import qa as _qa_routes  # noqa: F401
from app.api import reports as _report_routes  # noqa: F401
from app.api import reviews as _review_routes  # noqa: F401
from app.api import tasks as _task_routes  # noqa: F401
from app.api import webhooks as _webhook_routes  # noqa: F401
from app.api import welfare_checks as _welfare_check_routes  # noqa: F401
from app.api.auth import init_app as init_auth
from app.api.routes import bp
from app.extensions import csrf
from app.throttles import limit_api


def init_app(app) -> None:
    init_auth(app)
    csrf.exempt(bp)  # token-authenticated, no cookies: CSRF does not apply
    limit_api(bp)
    app.register_blueprint(bp)
