"""Read audit inside a school (issue 19, item 4; UK GDPR Article 32, security of processing; KCSIE Part two:
safeguarding information shared on a need-to-know basis). Which reads are recorded, and when a person's reads
are unusual enough to tell the trust safeguarding lead. No Flask, no database."""
from __future__ import annotations

import datetime as dt

# Records whose every opening is recorded: a pupil's record (its risk assessments, referral and carers are
# shown on it) and a welfare check.
AUDITED_READS = ("Pupil", "WelfareCheck")

DEFAULT_WINDOW = dt.timedelta(hours=1)
DEFAULT_THRESHOLD = 25  # different pupils' safeguarding records in the window: more than a day's casework


def unusual_reading(distinct_pupils_read: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """A person who opened the safeguarding records of `threshold` or more different pupils within the window is
    flagged, once per window, to the trust safeguarding lead: the reads may be browsing without a need to know."""
    return distinct_pupils_read >= threshold


def window_start(at: dt.datetime, window: dt.timedelta = DEFAULT_WINDOW) -> dt.datetime:
    """The start of the fixed window `at` falls in (one flag per person per window, not one per read)."""
    step = int(window.total_seconds())
    return dt.datetime.fromtimestamp(int(at.timestamp()) // step * step, tz=dt.UTC)
