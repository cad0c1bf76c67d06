"""Delivering the outbox: never lost, never sent twice.

- `deliver_notification(id, school_id)` (delivery.py) claims one row with a single conditional UPDATE and
  commits the claim before talking to SMTP, so a second job for the same row (enqueued twice, dispatched twice)
  finds nothing to claim. It records "sent" (records.py) the moment the server has accepted the message.
- `deliver_batch(items)` (batch.py) does the same for many rows in one job over one SMTP connection (a
  sweep's emails): still one outbox row, one claim, one record and one Message-ID per email.
- `dispatch_outbox()` (dispatch.py, every minute) enqueues whatever is due, and puts rows back whose worker
  died while sending. Such a row is sent again with the same Message-ID: the one window no outbox can close is
  a worker dying between the SMTP server's "250 OK" and our commit, and it is kept to that.
- `send_daily_digests()` (digest.py, 07:00 on weekdays) folds each person's waiting prompts into one email.

The names below stay importable from `jobs.outbox`: jobs already queued and the schedule name them by the
dotted path `jobs.outbox.<name>`, which must keep resolving.
"""
from jobs.outbox.batch import deliver_batch
from jobs.outbox.delivery import deliver_notification
from jobs.outbox.digest import DigestReport, send_daily_digests
from jobs.outbox.dispatch import DispatchReport, dispatch_outbox
from jobs.outbox.health import FailedJob, QueueStats, failed_jobs, queue_stats
from jobs.outbox.queueing import (
    BACKOFF_MINUTES,
    BATCH_FROM,
    WORKER_SILENT_SECONDS,
    DeliveryRef,
    enqueue_delivery,
    enqueue_new_deliveries,
    retry_delay,
)
from jobs.outbox.records import RECORD_RETRY_SECONDS

__all__ = [
    "BACKOFF_MINUTES", "BATCH_FROM", "RECORD_RETRY_SECONDS", "WORKER_SILENT_SECONDS", "DeliveryRef", "DigestReport",
    "DispatchReport", "FailedJob", "QueueStats", "deliver_batch", "deliver_notification", "dispatch_outbox", "enqueue_delivery",
    "enqueue_new_deliveries", "failed_jobs", "queue_stats", "retry_delay", "send_daily_digests",
]
