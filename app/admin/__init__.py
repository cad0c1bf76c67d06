"""Flask-Admin for the designated trustee: schools, LAs and their contacts, users and roles, the audit trail."""
from app.admin.setup import build_admin


def init_app(app) -> None:
    build_admin(app)
