"""Every model, one module per aggregate. Importing this package registers them all with the metadata."""
from app.models.audit import AuditEvent  # noqa: F401
from app.models.calendar import HalfTerm, Term, TrainingDay  # noqa: F401
from app.models.notifications import Audience, Delivery, Notification, NotificationStatus  # noqa: F401
from app.models.people import (  # noqa: F401
    ApiToken,
    NotificationPreference,
    SchoolRole,
    SignInAttempt,
    TrustRole,
    User,
)
from app.models.tasks import Task, TaskStatus  # noqa: F401
from app.models.trust import LAContact, LAContactKind, LocalAuthority, School, SchoolPhase, Trust  # noqa: F401
