"""Every model, one module per aggregate. Importing this package registers them all with the metadata."""
from app.models.attendance import (  # noqa: F401
    AttendanceSession,
    ConfirmedVia,
    ProviderAttendanceLink,
    WelfareCheck,
    WelfareCheckMethod,
    WelfareCheckOutcome,
)
from app.models.attendance_day_counts import AttendanceDayCount  # noqa: F401
from app.models.audit import AuditEvent  # noqa: F401
from app.models.background_jobs import BackgroundJob, JobState  # noqa: F401
from app.models.calendar import HalfTerm, Term, TrainingDay  # noqa: F401
from app.models.data_protection import (  # noqa: F401
    DisposalStatus,
    LegalHold,
    RetentionDisposal,
    SubjectAccessRequest,
)
from app.models.flexi_schooling import (  # noqa: F401
    FlexiAgreement,
    FlexiRequest,
    FlexiRequestStatus,
    FlexiReview,
    FlexiReviewOutcome,
    WithdrawnBy,
)
from app.models.monitoring import (  # noqa: F401
    CalendarFeed,
    FollowUpAction,
    FollowUpStatus,
    PlacementReview,
    ProgressKind,
    PupilProgressEntry,
    QAActivity,
    QAActivityKind,
)
from app.models.notifications import Audience, Delivery, Notification, NotificationStatus  # noqa: F401
from app.models.oversight import (  # noqa: F401
    Complaint,
    ComplaintStep,
    GovernorsNote,
    HeadteacherReport,
    PolicyMonitoring,
    PolicyReview,
)
from app.models.part_time import (  # noqa: F401
    LAReportingProcedure,
    PartTimeTimetable,
    PartTimeTimetableReview,
    PartTimeTimetableSession,
)
from app.models.people import (  # noqa: F401
    ApiToken,
    NotificationPreference,
    SchoolRole,
    SignInAttempt,
    TrustRole,
    User,
)
from app.models.placements import (  # noqa: F401
    ArrangedBy,
    CostUnit,
    OffSiteDirection,
    Placement,
    PlacementAgreement,
    PlacementStatus,
    SessionOfDay,
    WeeklySession,
)
from app.models.providers import (  # noqa: F401
    CheckOutcome,
    CheckStatus,
    ConcernSeverity,
    ConcernStatus,
    Provider,
    ProviderCheck,
    ProviderCheckItem,
    ProviderConcern,
    ProviderContact,
    ProviderEvidenceFile,
    ProviderKind,
    ProviderRiskAssessment,
    ProviderSite,
    RegistrationStatus,
    RiskRating,
)
from app.models.pupils import (  # noqa: F401
    BelongingAction,
    Carer,
    EventRiskAssessment,
    Involvement,
    InvolvementParty,
    ParentConsultation,
    Pupil,
    PupilRiskAssessment,
    Referral,
)
from app.models.security import (  # noqa: F401
    AccountToken,
    AccountTokenPurpose,
    Passkey,
    PasskeyChallenge,
    PasskeyChallengePurpose,
    RecoveryCode,
    TwoFactor,
    UserSession,
)
from app.models.tasks import Task, TaskStatus  # noqa: F401
from app.models.trust import LAContact, LAContactKind, LocalAuthority, School, SchoolPhase, Trust  # noqa: F401
from app.models.webhooks import (  # noqa: F401
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEvent,
    WebhookEventType,
    WebhookSubscription,
)
