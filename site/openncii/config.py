"""Configuration: defaults, overridden by ``OPENNCII_*`` environment variables.

Every key of :data:`DEFAULTS` can be set from the environment by prefixing it with
``OPENNCII_`` (``OPENNCII_ORG_NAME=…``). Lists are comma separated, booleans are
``1/true/yes/on``. A ``test_config`` dict given to ``create_app`` wins over both.
"""

import os
import secrets
from pathlib import Path

DEFAULTS = {
    # Operator details shown to the public (FAQ, footer, emails).
    "ORG_NAME": "OpenNCII",
    "CONTACT_EMAIL": "contact@example.org",
    "PARTNER_PLATFORMS": [],
    # Whether the operator is a government or public body (the FAQ answers accordingly).
    "GOVERNMENT_SERVICE": False,
    # The footer says the service is run by ORG_NAME and is not StopNCII.org.
    "NOT_STOPNCII_STATEMENT": True,
    "UNDER18_NAME": "Take It Down",
    "UNDER18_URL": "https://takeitdown.ncmec.org/",
    "QUICK_EXIT_URL": "https://www.bbc.co.uk/weather",
    # The https:// address people reach this site at, for "link to this page" boxes.
    "PUBLIC_URL": "",
    # Locales offered, in switcher order. The first is the fallback.
    "LANGUAGES": [
        "en",
        "es",
        "fr",
        "de",
        "it",
        "pt-BR",
        "nl",
        "pl",
        "uk",
        "ru",
        "tr",
        "ar",
        "fa",
        "he",
        "ur",
        "hi",
        "bn",
        "ta",
        "zh-Hans",
        "ja",
        "ko",
        "id",
        "vi",
        "th",
        "tl",
        "sw",
    ],
    # Storage: empty means SQLite in the instance folder.
    "DATABASE_URL": "",
    # Case numbers are e-mailed through this server (smtp://host:port); empty hides the option.
    "SMTP_URL": "",
    "MAIL_FROM": "no-reply@example.org",
    # Whether victims see which partner reported a match (names only, never people).
    "SHOW_PARTNER_NAMES": False,
    "MAX_FILES_PER_CASE": 20,
    # Days the feed keeps publishing a withdrawn hash as Withdrawn before it is Deleted
    # and then purged (see openncii.retention).
    "WITHDRAWN_RETENTION_DAYS": 30,
    # bcrypt cost of case PINs (2**rounds iterations); 12 takes ~0.25 s per check.
    "BCRYPT_ROUNDS": 12,
    # Per-client rate limits (Flask-Limiter); off only in tests.
    "RATELIMIT_ENABLED": True,
    # Where the counters live: memory:// (this process) or redis://host:6379/0 (shared).
    "RATELIMIT_STORAGE_URL": "memory://",
    "RATELIMIT_STORAGE_PREFIX": "openncii",
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host we believe.
    "TRUSTED_PROXIES": 0,
    # Host names this service answers to (empty: any; set it in production).
    "TRUSTED_HOSTS": [],
    # Served over HTTPS: Secure __Host- session cookie and HSTS on every response.
    "HTTPS": False,
    # Requests each partner may make to /v1 (a full sync of 1M hashes takes ~1,250).
    "PARTNER_RATE_LIMIT": "3000 per minute",
    "SECRET_KEY": "",
}


def _parse(raw, default):
    """Convert an environment string to the type of its default value."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, list):
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def from_environment(environ=None):
    """Return the config values found in ``OPENNCII_*`` environment variables."""
    environ = os.environ if environ is None else environ
    return {
        key: _parse(environ[f"OPENNCII_{key}"], default)
        for key, default in DEFAULTS.items()
        if f"OPENNCII_{key}" in environ
    }


class ConfigError(Exception):
    """The configuration can't be used; the message says what to change."""


SECRET_KEY_REQUIRED = (
    "OPENNCII_SECRET_KEY is not set. With PostgreSQL every process and machine must sign "
    "sessions with the same key, so OpenNCII will not invent one. Generate one with "
    "`python3 -c 'import secrets; print(secrets.token_hex(32))'`, keep it secret, and set "
    "OPENNCII_SECRET_KEY to it for every process."
)


def private_folder(path):
    """Create ``path`` (if needed) readable by this user only (0700)."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def instance_secret_key(instance_path):
    """Read the secret key kept in the instance folder, creating it on first run.

    The key is written whole to a temporary file (0600) and linked into place, which
    fails if another worker got there first: a reader sees no file or the full key,
    never an empty one, and every worker ends up with the same key.
    """
    path = private_folder(instance_path) / "secret_key"
    if not path.exists():
        temporary = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:  # another worker made it first: use theirs
            pass
        finally:
            temporary.unlink()
    key = path.read_text().strip()
    if not key:
        raise ConfigError(f"{path} is empty: delete it (a new key is made) or put a key in it.")
    return key
