"""The application's PostgreSQL connections (PostgreSQL only): JIT compiling is off, as app.factory sets it.

On the large generated trust at 10x history, compiling the figures' one statement to machine code took 200 ms
of its 277 ms (EXPLAIN ANALYZE's JIT timing); without it the statement runs in about 80 ms."""
from __future__ import annotations

from sqlalchemy import text

from app.extensions import db


def test_the_applications_connections_run_without_jit(app):
    with app.app_context():
        db.engine.dispose()  # fresh connections, each through the connect hook
        assert db.session.execute(text("SHOW jit")).scalar() == "off"
        db.session.rollback()  # SET is per connection: a transaction's end does not undo it
        assert db.session.execute(text("SHOW jit")).scalar() == "off"

