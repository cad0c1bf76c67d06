"""The app under gunicorn for bench/pages.py: the generated trust's database, as if at the benchmark's
school-day morning, sign-in by the plain form (no CSRF token, no second factor: the pages are measured, not the
sign-in). `gunicorn --config deploy/gunicorn.conf.py bench.wsgi_pages:app` with APHUB_BENCH_* set."""
from __future__ import annotations

import os
from datetime import datetime

from app import create_app
from app.clock import SCHOOL_TZ, running_as_if
from config import DevelopmentConfig

app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=os.environ["APHUB_BENCH_DATABASE_URL"],
                 REDIS_URL=os.environ["APHUB_BENCH_REDIS_URL"], RQ_QUEUE_PREFIX="bench", WTF_CSRF_ENABLED=False,
                 TWO_FACTOR_MANDATORY=False, LOG_FORMAT=None)
# For the life of the process: every request runs at the benchmark's morning, as the in-process walk does.
running_as_if(datetime.fromisoformat(os.environ["APHUB_BENCH_AT"]).replace(tzinfo=SCHOOL_TZ)).__enter__()
