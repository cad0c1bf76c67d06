"""Blueprints for people: thin views that parse input, call a service and render."""
from app.views.account import bp as account_bp
from app.views.accounts import bp as accounts_bp
from app.views.accounts import staff_bp
from app.views.attendance import bp as attendance_bp
from app.views.attendance import trust_bp as trust_attendance_bp
from app.views.auth import bp as auth_bp
from app.views.calendar import bp as calendar_bp
from app.views.calendar_feed import bp as calendar_feed_bp
from app.views.calendar_feed import public_bp as calendar_feed_public_bp
from app.views.census import bp as census_bp
from app.views.complaints import bp as complaints_bp
from app.views.complaints import monitoring_bp as policy_monitoring_bp
from app.views.complaints import trust_bp as trust_policy_bp
from app.views.corrections import bp as corrections_bp
from app.views.data_protection import bp as data_protection_bp
from app.views.data_protection import trust_bp as data_protection_trust_bp
from app.views.flexi_schooling import bp as flexi_bp
from app.views.flexi_schooling import trust_bp as trust_flexi_bp
from app.views.inbox import bp as inbox_bp
from app.views.notices import bp as notices_bp
from app.views.oversight import bp as oversight_bp
from app.views.part_time import bp as part_time_bp
from app.views.part_time import trust_bp as trust_part_time_bp
from app.views.passkeys import bp as passkeys_bp
from app.views.placements import bp as placements_bp
from app.views.provider_checks import bp as provider_checks_bp
from app.views.provider_links import bp as provider_links_bp
from app.views.provider_links import public_bp as provider_attendance_bp
from app.views.providers import bp as providers_bp
from app.views.providers import trust_bp as trust_providers_bp
from app.views.pupils import bp as pupils_bp
from app.views.qa import bp as qa_bp
from app.views.reports import bp as reports_bp
from app.views.reports import governors_bp
from app.views.reviews import bp as reviews_bp
from app.views.reviews import trust_bp as trust_monitoring_bp
from app.views.school import bp as school_bp
from app.views.trust import bp as trust_bp
from app.views.two_factor import bp as two_factor_bp
from app.views.welfare_checks import bp as welfare_checks_bp


def register_blueprints(app) -> None:
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(trust_bp)
    app.register_blueprint(oversight_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(corrections_bp)
    app.register_blueprint(governors_bp)
    app.register_blueprint(census_bp)
    app.register_blueprint(complaints_bp)
    app.register_blueprint(policy_monitoring_bp)
    app.register_blueprint(trust_policy_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(notices_bp)
    app.register_blueprint(providers_bp)
    app.register_blueprint(provider_checks_bp)
    app.register_blueprint(trust_providers_bp)
    app.register_blueprint(pupils_bp)
    app.register_blueprint(placements_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(trust_monitoring_bp)
    app.register_blueprint(welfare_checks_bp)
    app.register_blueprint(provider_links_bp)
    app.register_blueprint(provider_attendance_bp)
    app.register_blueprint(attendance_bp)
    app.register_blueprint(trust_attendance_bp)
    app.register_blueprint(qa_bp)
    app.register_blueprint(calendar_feed_bp)
    app.register_blueprint(calendar_feed_public_bp)
    app.register_blueprint(part_time_bp)
    app.register_blueprint(trust_part_time_bp)
    app.register_blueprint(data_protection_trust_bp)
    app.register_blueprint(data_protection_bp)
    app.register_blueprint(flexi_bp)
    app.register_blueprint(trust_flexi_bp)

    app.register_blueprint(accounts_bp)

    app.register_blueprint(two_factor_bp)
    app.register_blueprint(passkeys_bp)
    app.register_blueprint(staff_bp)
    # Last: /<school_slug>/ would otherwise shadow /trust/ and /account/.
    app.register_blueprint(school_bp)
