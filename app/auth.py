"""Flask-Login wiring: who the request is, and the audit trail's idea of who is acting."""
from __future__ import annotations

from flask import g, session
from flask_login import current_user

from app.audit import reset_acting_user, set_acting_user
from app.extensions import login_manager
from app.services import user_sessions


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_key: str):
        return user_sessions.load(session_key)

    @app.before_request
    def _acting_user():
        # Sliding expiry: a permanent session is refreshed on each request and lapses when idle.
        session.permanent = True
        uid = current_user.id if current_user.is_authenticated else None
        g._acting_user_token = set_acting_user(uid)

    @app.teardown_request
    def _forget_acting_user(exc=None):
        token = g.pop("_acting_user_token", None)
        if token is not None:
            reset_acting_user(token)
