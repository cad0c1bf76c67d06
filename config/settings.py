"""One class per environment. Test config is a subclass of the base, so it differs only where it says."""
from datetime import timedelta
from pathlib import Path

from config.env import ConfigError, env_bool, env_int, env_str

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"
DEV_SECRET = "dev-only-not-secret"


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET)
    INSTANCE_PATH = Path(env_str("APHUB_INSTANCE_PATH", str(DEFAULT_INSTANCE)))
    SQLALCHEMY_DATABASE_URI = env_str("DATABASE_URL", f"sqlite:///{INSTANCE_PATH / 'aphub.sqlite3'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # PostgreSQL's JIT compiling of costly-looking queries: off (app.factory._postgres_without_jit); 1 leaves it on.
    DATABASE_JIT = env_bool("DATABASE_JIT", False)
    REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
    # Queue names are prefixed so several deployments (or test runs) can share one Redis.
    RQ_QUEUE_PREFIX = env_str("RQ_QUEUE_PREFIX", "aphub")
    # Figures of ended periods kept in Redis until their school's records change (app.services.figure_cache).
    FIGURE_CACHE = env_bool("FIGURE_CACHE", True)
    # A web worker freezes its long-lived objects after every this many requests (app.heap); 0: never.
    HEAP_SETTLE_EVERY = env_int("HEAP_SETTLE_EVERY", 100, minimum=0)

    # Sign-in and sessions
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    # Inactivity expiry: the session cookie is refreshed on every request and lapses after this long idle.
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30, minimum=1))
    SESSION_REFRESH_EACH_REQUEST = True
    # Two-factor sign-in for the roles that see safeguarding detail (app/services/two_factor.py).
    TWO_FACTOR_MANDATORY = env_bool("TWO_FACTOR_MANDATORY", True)
    # Passkeys (WebAuthn): the relying party's ID (the site's host name, no scheme or port) and the origin the
    # browser must report (scheme://host[:port]); unset, both come from BASE_URL (app/services/passkeys.py).
    PASSKEY_RP_ID = env_str("PASSKEY_RP_ID")
    PASSKEY_ORIGIN = env_str("PASSKEY_ORIGIN")
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, which already expires when idle

    # Mail
    MAIL_BACKEND = env_str("MAIL_BACKEND", "smtp")  # smtp | folder
    MAIL_FOLDER = Path(env_str("MAIL_FOLDER", str(INSTANCE_PATH / "mail")))
    SMTP_HOST = env_str("SMTP_HOST", "127.0.0.1")
    SMTP_PORT = env_int("SMTP_PORT", 25, minimum=1)
    SMTP_USERNAME = env_str("SMTP_USERNAME")
    SMTP_PASSWORD = env_str("SMTP_PASSWORD")
    SMTP_STARTTLS = env_bool("SMTP_STARTTLS", False)
    SMTP_TIMEOUT = env_int("SMTP_TIMEOUT", 20, minimum=1)
    MAIL_FROM = env_str("MAIL_FROM", "AP Hub <aphub@example.org>")
    MAIL_DOMAIN = env_str("MAIL_DOMAIN", "aphub.example.org")  # right-hand side of Message-IDs
    OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 6, minimum=1)
    OUTBOX_CLAIM_TIMEOUT_SECONDS = env_int("OUTBOX_CLAIM_TIMEOUT_SECONDS", 300, minimum=1)
    # Webhooks (docs/webhooks.md): attempts before a delivery fails, the first retry's delay (doubling after),
    # the receiver's time to answer, and when a 'sending' delivery counts as abandoned by its worker.
    WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
    WEBHOOK_BACKOFF_SECONDS = env_int("WEBHOOK_BACKOFF_SECONDS", 60, minimum=1)
    WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
    WEBHOOK_CLAIM_TIMEOUT_SECONDS = env_int("WEBHOOK_CLAIM_TIMEOUT_SECONDS", 120, minimum=1)
    # Subscribers' addresses are https; plain http only to this machine (loopback), and only where allowed.
    WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    # The trust's own networks a subscriber may be in (comma-separated CIDRs, e.g. "10.20.0.0/16"); any other
    # private, link-local or reserved address is refused, at subscribing and at each delivery.
    WEBHOOK_PRIVATE_NETWORKS = env_str("WEBHOOK_PRIVATE_NETWORKS", "")

    # Where uploaded evidence lives: outside the web root, served only through permission-checked views.
    UPLOAD_FOLDER = Path(env_str("UPLOAD_FOLDER", str(INSTANCE_PATH / "uploads")))
    MAX_CONTENT_LENGTH = env_int("MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024
    # A pupil import of more rows than this runs as a background job with a progress page (issue 14 item 7).
    PUPIL_IMPORT_JOB_ROWS = env_int("PUPIL_IMPORT_JOB_ROWS", 200, minimum=1)

    # Retention periods the IRMS toolkit leaves to the school, e.g. "AttendanceSession=6" (app.policy.retention_schedule).
    # As text here (config is the lowest layer); `create_app` checks it against the schedule and refuses to start
    # on a period the school may not set or one shorter than the toolkit's.
    RETENTION_YEARS = env_str("RETENTION_YEARS")

    BASE_URL = env_str("BASE_URL", "http://127.0.0.1:5000")

    # Running it (app/ops, docs/production.md)
    LOG_FORMAT = env_str("LOG_FORMAT", "text")  # json | text; None leaves logging alone (tests)
    LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
    METRICS_TOKEN = env_str("METRICS_TOKEN")  # bearer token of /metrics; unset: /metrics is a 404
    ERROR_REPORTING_DSN = env_str("ERROR_REPORTING_DSN")  # a Sentry-compatible DSN; unset: nothing is sent
    PROXY_HOPS = env_int("PROXY_HOPS", 0, minimum=0)  # proxies in front whose X-Forwarded-* headers count
    SCHOOL_TIMEZONE = "Europe/London"
    # Strict-Transport-Security max-age; 0 sends none (plain-http development must not be pinned to https).
    HSTS_SECONDS = 0

    @classmethod
    def check(cls) -> None:
        """Refuse settings that would be unsafe in this environment."""


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    MAIL_BACKEND = env_str("MAIL_BACKEND", "folder")
    WEBHOOK_ALLOW_LOOPBACK_HTTP = True


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = env_str("TEST_DATABASE_URL", "sqlite://")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}  # as in production: the fault tests restart databases
    REDIS_URL = env_str("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    RQ_QUEUE_PREFIX = "aphub-test"
    MAIL_BACKEND = "smtp"
    SERVER_NAME = None
    # Off for the suite's hundreds of sign-ins as a DSL or AP leader; tests/security/test_two_factor.py and the
    # two-factor browser journey turn it on and prove it.
    TWO_FACTOR_MANDATORY = False
    LOG_FORMAT = None
    PROXY_HOPS = 0
    WEBHOOK_ALLOW_LOOPBACK_HTTP = True  # the tests' receivers listen on 127.0.0.1
    HEAP_SETTLE_EVERY = 0  # a full collection in the suite's process costs far more than a worker's; tests/ops


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000, minimum=0)
    LOG_FORMAT = env_str("LOG_FORMAT", "json")
    PROXY_HOPS = env_int("PROXY_HOPS", 1, minimum=0)  # TLS ends at one reverse proxy in front

    @classmethod
    def check(cls) -> None:
        secret = env_str("SECRET_KEY")
        how = "Set SECRET_KEY to a long random value (python -c 'import secrets; print(secrets.token_hex(32))')."
        if not secret:
            raise ConfigError(f"SECRET_KEY is not set: production refuses to start. {how}")
        if secret == DEV_SECRET:
            raise ConfigError(
                f"SECRET_KEY is the development default, which is public: production refuses to start. {how}"
            )
        if len(secret) < 32:
            raise ConfigError(f"SECRET_KEY is shorter than 32 characters: production refuses to start. {how}")
        for flag in ("FLASK_DEBUG", "APHUB_DEBUG"):
            if env_bool(flag, False):
                raise ConfigError(f"{flag} turns debug mode on: production refuses to start with debug on (the "
                                  "debugger runs any code a visitor sends, and errors show source). Unset it.")
        if not env_str("DATABASE_URL"):
            raise ConfigError("DATABASE_URL is required in production (postgresql+psycopg://user:pass@host/db).")
        if not env_str("REDIS_URL"):
            raise ConfigError("REDIS_URL is required in production (redis://host:6379/0).")


_BY_NAME = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None) -> type[BaseConfig]:
    name = name or env_str("APHUB_ENV", "development")
    try:
        cls = _BY_NAME[name]
    except KeyError:
        raise ConfigError(f"APHUB_ENV must be one of {sorted(_BY_NAME)}, got {name!r}") from None
    cls.check()
    return cls
