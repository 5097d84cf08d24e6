"""E-mailing a case number, once, to an address we never keep.

The address lives only in the arguments of :func:`send_case_number` for the length of
one SMTP conversation: it is not logged, stored or put in the session, and a failure
is reported as a bare :class:`MailError` whose message and traceback don't carry it.

``SMTP_URL`` (``OPENNCII_SMTP_URL``) names the server: ``smtp://host:port`` (plain),
``smtp://host:port?starttls=1`` or ``smtps://host:port`` (TLS), with an optional
``user:password@`` before the host.
"""

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlparse

from flask_babel import gettext as _

from .cases import format_case_number

# One mailbox, nothing else: a dot-atom local part (letters of any script, digits and
# RFC 5322's atext symbols; no quotes, commas, semicolons, angle brackets, spaces or
# control characters) and a domain of at least two labels of letters, digits and hyphens.
LOCAL_PART = r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
DOMAIN_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
ADDRESS = re.compile(rf"{LOCAL_PART}@{DOMAIN_LABEL}(?:\.{DOMAIN_LABEL})+")
TIMEOUT = 20


class MailError(Exception):
    """The message could not be sent (deliberately without any detail)."""


def is_address(text):
    """True for one plain address (``name@example.org``), never a list or a display name."""
    local, _, _ = text.partition("@")
    return len(text) <= 254 and len(local) <= 64 and bool(ADDRESS.fullmatch(text))


def build_message(sender, recipient, number, org_name):
    """The localized plain-text message: the case number and nothing else about the case."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = _("Your case number")
    message["Date"] = formatdate()
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(
        "\n\n".join(
            [
                _("Here is the case number you asked us to send:"),
                format_case_number(number),
                _(
                    "Keep it with your PIN. You need both to check or withdraw your case. "
                    "We cannot recover the PIN for you."
                ),
                _(
                    "We have not kept your e-mail address. If you did not ask for this message, "
                    "you can delete it."
                ),
                org_name,
            ]
        )
        + "\n"
    )
    return message


def send_case_number(smtp_url, sender, recipient, number, org_name):
    """Send one message; raise MailError if the server can't be reached or refuses."""
    message = build_message(sender, recipient, number, org_name)
    try:
        with _connect(smtp_url) as smtp:
            smtp.send_message(message, to_addrs=[recipient])  # never read from headers
    except (smtplib.SMTPException, OSError):
        raise MailError() from None  # drop the cause: it may quote the address


def _connect(smtp_url):
    url = urlparse(smtp_url)
    if url.scheme not in {"smtp", "smtps"}:
        raise MailError()
    if url.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(
            url.hostname, url.port or 465, timeout=TIMEOUT, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(url.hostname, url.port or 25, timeout=TIMEOUT)
        if parse_qs(url.query).get("starttls", ["0"])[0] in {"1", "true", "yes"}:
            smtp.starttls(context=ssl.create_default_context())
    if url.username:
        smtp.login(unquote(url.username), unquote(url.password or ""))
    return smtp
