"""Flask-Admin for the designated trustee: schools, LAs and their contacts, users and roles, the audit trail."""


def init_app(app) -> None:
    from app.admin.setup import build_admin

    build_admin(app)
