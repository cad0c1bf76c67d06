"""`flask ops ...`: operators' commands for running AP Hub in production."""
from __future__ import annotations

from flask.cli import AppGroup

ops_cli = AppGroup("ops", help="Run AP Hub in production: restore checks, the database roles.")
