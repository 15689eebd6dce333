"""One settings file, driven by environment variables.

DATABASE_URL   default: SQLite under var/ (WAL, IMMEDIATE transactions)
SECRET_KEY     required when DEBUG is off
DEBUG          "1" for development
ALLOWED_HOSTS  comma-separated
REDIS_URL      when set, Huey keeps its queue in Redis (several `zhixing worker`s)
HTTPS          "0" to serve over plain HTTP without DEBUG (an intranet behind no TLS)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZHIXING_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


TESTING = "pytest" in sys.modules or env_flag("ZHIXING_TESTING", False)
DEBUG = env_flag("DEBUG", False)

_insecure_key = "django-insecure-zhixing-development-key-change-me"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise RuntimeError("SECRET_KEY 未设置：生产环境请设置环境变量 SECRET_KEY（至少 50 个随机字符）。")
    SECRET_KEY = _insecure_key

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",  # TOTP for the admin roles (ZHIXING_ADMIN_2FA, core/twofactor.py)
    "huey.contrib.djhuey",
    "ninja",  # serves Swagger UI from its own static files (no CDN) at /api/v1/docs
    "zhixing.core",
    "zhixing.orgs",
    "zhixing.study",
    "zhixing.directives",
    "zhixing.ledger",
    "zhixing.supervision",
    "zhixing.review",
    "zhixing.board",
    "zhixing.assessment",
    "zhixing.insights",
    "zhixing.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "zhixing.core.twofactor.AdminTwoFactor",  # admin roles enter a TOTP code after the password (ZHIXING_ADMIN_2FA)
    "zhixing.core.middleware.SuperuserAudit",  # every superuser session and write leaves an audit event
    "zhixing.core.middleware.SessionSecurity",  # idle timeout, absolute limit, forced password change
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "zhixing.core.middleware.MethodNotAllowedInChinese",
    "zhixing.core.middleware.ProductionNotFoundPage",  # DEBUG (the demo): our Chinese 404, not Django's debug page
    "zhixing.core.accounts_audit.CurrentRequest",  # the acting user for account-change audit events
]

ROOT_URLCONF = "zhixing.urls"
WSGI_APPLICATION = "zhixing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhixing" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhixing.core.context_processors.layout",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'zhixing.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else 60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writer takes the lock at BEGIN, so two writers queue instead of failing midway.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA cache_size=-64000;"
            "PRAGMA mmap_size=268435456;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [  # core/security.py: 8+ characters of 3 classes, not like the username, not reused
    {"NAME": "zhixing.core.security.CharacterClassesValidator"},
    {"NAME": "zhixing.core.security.SimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhixing.core.security.PasswordHistoryValidator"},
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [
    "username"
]  # per IP: ZHIXING_IP_FAILURE_LIMIT, a separate higher limit (core/lockout.py)
AXES_HANDLER = "zhixing.core.lockout.ZhixingAxesHandler"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = not TESTING or env_flag("AXES_ENABLED", False)

# --- i18n / time ----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# Chinese only (docs/ARCHITECTURE.md): one language and no LocaleMiddleware, so Django's own texts (form errors,
# log-in errors) are Chinese whatever the browser asks for.
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "zhixing" / "locale"]
TIME_ZONE = "Asia/Shanghai"
# ISO dates first for input (zhixing/formats/zh_Hans): <input type="date"> shows only YYYY-MM-DD
FORMAT_MODULE_PATH = ["zhixing.formats"]
USE_I18N = True
USE_TZ = True

# --- Static files: front-end libraries come from node_modules (npm lock file), never a CDN --------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("ZHIXING_STATIC_ROOT") or BASE_DIR / "staticfiles")
_node = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "zhixing" / "static",  # the project's own app.css (zhixing/ itself is not an installed app)
    ("vendor/bootstrap", _node / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", _node / "bootstrap-icons" / "font"),
    ("vendor/htmx", _node / "htmx.org" / "dist"),
    ("vendor/echarts", _node / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- Security (production: DEBUG off passes `manage.py check --deploy`) ---------------------------
HTTPS = env_flag("HTTPS", not (DEBUG or TESTING))  # the test client and live_server speak plain HTTP
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = (
    [] if HTTPS or DEBUG else ["security.W004", "security.W008", "security.W012", "security.W016"]
) + [
    "axes.W006"
]  # lockout is per username on purpose; IP addresses have their own throttle (core/lockout.py)

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Background jobs (Huey) -----------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY: dict[str, object] = {
    "name": "zhixing",
    "immediate": TESTING or env_flag("HUEY_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": 2, "worker_type": "thread", "periodic": True},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "connection": {"url": REDIS_URL}})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")})

# --- Caches ---------------------------------------------------------------------------------------
# "default" is per process. "dashboards" holds the committee dashboard's city-wide charts (insights/dashboards.py),
# shared by every web worker and the Huey consumer that refreshes them: Redis when REDIS_URL is set, else files
# under var/cache/; per process in tests.
CACHES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "dashboards": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dashboards"}
        if TESTING
        else {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "zx",
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache" / "dashboards"),
        }
    ),
}

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "jieba": {"level": "WARNING"},
        # A handler of its own stops run_huey from adding a second one (each line was printed twice).
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Zhixing --------------------------------------------------------------------------------------
ZHIXING_PAGE_SIZE = 50
ZHIXING_IMPORT_MAX_ROWS = 200_000
# Remind secretaries of unmet norms this many working days before the period ends (study/tasks.py).
ZHIXING_COMPLIANCE_REMIND_DAYS = int(os.environ.get("ZHIXING_COMPLIANCE_REMIND_DAYS", "5"))
# Remind the responsible person this many working days before a ledger task's or milestone's due date
# (ledger/reminders.py).
LEDGER_REMIND_WORKING_DAYS = int(os.environ.get("LEDGER_REMIND_WORKING_DAYS", "3"))

# --- Security policy (等保 2.0 level 3; README's configuration table) -----------------------------
# Log-in lockout: AXES_FAILURE_LIMIT failures lock that username for AXES_COOLOFF_TIME; a separate, higher limit
# throttles one IP address whatever the usernames (core/lockout.py), so one locked account behind a NAT does not
# lock its colleagues out.
ZHIXING_IP_FAILURE_LIMIT = int(os.environ.get("ZHIXING_IP_FAILURE_LIMIT", "50"))
# Sessions end after this many idle minutes (core/session.py), and at the latest SESSION_COOKIE_AGE after log-in.
# Two factors for the admin roles (三员, committee admins, superusers): TOTP after the password. Off for the demo;
# required in production (等保 2.0 level 3).
ZHIXING_ADMIN_2FA = env_flag("ZHIXING_ADMIN_2FA", False)
OTP_TOTP_ISSUER = "知行"
ZHIXING_SESSION_IDLE_MINUTES = int(os.environ.get("ZHIXING_SESSION_IDLE_MINUTES", "30"))
ZHIXING_SESSION_WARN_SECONDS = 120
# Passwords: expire after N days (0: never), may not repeat the last N (core/security.py).
ZHIXING_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("ZHIXING_PASSWORD_MAX_AGE_DAYS", "90"))
ZHIXING_PASSWORD_HISTORY = int(os.environ.get("ZHIXING_PASSWORD_HISTORY", "5"))
# API tokens expire this many days after creation (0: never).
ZHIXING_API_TOKEN_DAYS = int(os.environ.get("ZHIXING_API_TOKEN_DAYS", "90"))
# The audit chain's HMAC key: the env var, else a key file (created 0600 on first use); tests derive one from
# SECRET_KEY. The anchor file receives the chain's head every hour (core/tasks.py) and on `zhixing audit_anchor`.
ZHIXING_AUDIT_KEY = os.environ.get("ZHIXING_AUDIT_KEY", "")
ZHIXING_AUDIT_KEY_FILE = Path(os.environ.get("ZHIXING_AUDIT_KEY_FILE") or VAR_DIR / "audit.key")
ZHIXING_AUDIT_ANCHOR_FILE = Path(os.environ.get("ZHIXING_AUDIT_ANCHOR_FILE") or VAR_DIR / "audit-anchors.log")
# Personal data at rest (身份证号, 手机号): encrypted with SM4-GCM (AES-256-GCM where OpenSSL lacks SM4) under the
# data keys, looked up by HMAC under the lookup key (core/crypto.py). Keys: the env var ("lookup:<hex>,k1:<hex>", or
# one master secret), else the key file (created 0600 on first use; back it up apart from the database: without it
# the ID numbers and mobiles cannot be read). Rotation: `zhixing rotate_data_key` (docs/OPERATIONS.md).
ZHIXING_DATA_KEY = os.environ.get("ZHIXING_DATA_KEY", "")
ZHIXING_DATA_KEY_FILE = Path(os.environ.get("ZHIXING_DATA_KEY_FILE") or VAR_DIR / "data.key")

# Audit events are kept in the database this many days (网络安全法第二十一条: at least six months; the system
# check core.E001 refuses less than 183), then `zhixing audit_archive` / the monthly job moves them to signed files
# under ZHIXING_AUDIT_ARCHIVE_DIR that `audit_verify` still checks (core/audit_archive.py).
ZHIXING_AUDIT_RETENTION_DAYS = int(os.environ.get("ZHIXING_AUDIT_RETENTION_DAYS") or "730")
ZHIXING_AUDIT_ARCHIVE_DIR = Path(os.environ.get("ZHIXING_AUDIT_ARCHIVE_DIR") or VAR_DIR / "audit-archive")

# Content-Security-Policy (django-csp): scripts and styles only from this server's static files; no inline script,
# no eval. style-src-attr allows style="..." attributes (widths of progress bars), never <style> elements.
# ZHIXING_CSP_REPORT_ONLY=1 sends it as Content-Security-Policy-Report-Only (to trial a change).
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env_flag("ZHIXING_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# Attachments (photos and PDFs, zhixing/core/attachments.py): the largest file accepted, per kind, in MB.
ZHIXING_MAX_IMAGE_MB = float(os.environ.get("ZHIXING_MAX_IMAGE_MB", "10"))
ZHIXING_MAX_PDF_MB = float(os.environ.get("ZHIXING_MAX_PDF_MB", "20"))

# The 公文 fonts of the Word documents (core/gongwen.py FONTS: role -> the GB/T 9704 font and its fallback).
# ZHIXING_GONGWEN_FONTS="fallback" writes every role's fallback (仿宋, 楷体, 华文中宋... for machines without the
# _GB2312 fonts); "body=仿宋,subheading=楷体" overrides single roles. Empty: the standard's fonts.
_gongwen_fonts = os.environ.get("ZHIXING_GONGWEN_FONTS", "").strip()
ZHIXING_GONGWEN_FONTS: str | dict[str, str] = (
    "fallback"
    if _gongwen_fonts == "fallback"
    else {
        role.strip(): name.strip()
        for role, _, name in (pair.partition("=") for pair in _gongwen_fonts.replace("，", ",").split(","))
        if name.strip()
    }
)
