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
    # bcrypt cost of case PINs (2**rounds iterations); 12 takes ~0.25 s per check.
    "BCRYPT_ROUNDS": 12,
    # Per-client rate limits (Flask-Limiter); off only in tests.
    "RATELIMIT_ENABLED": True,
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


def instance_secret_key(instance_path):
    """Read the secret key kept in the instance folder, creating it on first run."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker (or an earlier run) made it
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32))
    return path.read_text().strip()
