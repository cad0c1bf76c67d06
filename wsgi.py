"""WSGI entry point of the serving processes: `gunicorn wsgi:app`, and `flask --app wsgi jobs ...` for workers.

In production on PostgreSQL it refuses to start as a role that could read past row-level security. The release
step, which must run as the tables' owner, loads the factory instead: `flask --app app db upgrade`."""
from app import create_app
from app.ops.database_role import refuse_unsafe_database_role

app = create_app()
refuse_unsafe_database_role(app)
