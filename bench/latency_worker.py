"""An RQ worker for the latency benchmark, running as if it were the benchmark's school-day morning.

    python -m bench.latency_worker DATABASE_URL REDIS_URL SMTP_PORT LOCAL_ISO_TIME [simple]
"""
from __future__ import annotations

import sys
from datetime import datetime


def main(database_url: str, redis_url: str, smtp_port: str, local_iso: str, simple: str = "") -> None:
    from app import create_app
    from app.clock import SCHOOL_TZ, running_as_if
    from config import DevelopmentConfig
    from jobs.worker import run_worker

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                     RQ_QUEUE_PREFIX="bench", MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=int(smtp_port))
    with running_as_if(datetime.fromisoformat(local_iso).replace(tzinfo=SCHOOL_TZ)):
        run_worker(app, burst=False, with_scheduler=True, simple=simple == "simple")  # work-horses inherit the clock


if __name__ == "__main__":
    main(*sys.argv[1:6])
