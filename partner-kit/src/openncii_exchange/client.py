"""HTTP client for an OpenNCII server's partner API (``/v1``, StopNCII's wire format).

Compared with threatexchange's ``StopNCIIAPI`` it keeps one connection open for a whole
sync, asks for the largest page the server allows, parses pages with orjson and without
dataclass conversion, splits uploads into requests the server accepts, waits as told by
``Retry-After`` when rate-limited, and turns 401/403 into errors that say what to do.
"""

import email.utils
import logging
import time
import typing as t
from dataclasses import dataclass
from urllib.parse import urlsplit

import orjson
import requests

log = logging.getLogger(__name__)

# Limits of the server's contract (its /v1/openapi.json): the kit stays within them.
MAX_PAGE_SIZE = 2000  # FetchHashes pageSize
MAX_ITEMS = 1000  # hashes per SubmitFeedback / SubmitHashes / MatchHashes request
DEFAULT_MATCH_DISTANCE = 31  # PDQ bits, as HMA
FEEDBACK_VALUES = (
    "None",
    "QualityUnknown",
    "PendingReview",
    "Blocked",
    "NotBlocked",
    "Withdrawn",
    "Deleted",
)
SIGNAL_TYPES = ("ImagePDQ", "VideoMD5")

TIMEOUT = 60  # seconds per request
ATTEMPTS = 6  # tries per request when rate-limited or the server is briefly away
MAX_RETRY_WAIT = 300  # never sleep longer than this for one Retry-After
RETRY_STATUSES = {502, 503, 504}


class OpenNCIIError(Exception):
    """A request the server refused or could not answer; the message says why."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class OpenNCIIAccessError(OpenNCIIError):
    """401 (the key is wrong or was rotated) or 403 (the partner's access was revoked)."""


@dataclass(frozen=True)
class Feedback:
    """One verdict on one hash, as SubmitFeedback and SubmitHashes carry it."""

    signal_type: str  # "ImagePDQ" or "VideoMD5"
    hash_value: str
    value: str = "Blocked"  # one of FEEDBACK_VALUES
    tags: tuple[str, ...] = ()

    def __post_init__(self):
        if self.signal_type not in SIGNAL_TYPES:
            raise ValueError(f"signal type must be one of {', '.join(SIGNAL_TYPES)}")
        if self.value not in FEEDBACK_VALUES:
            raise ValueError(f"feedback must be one of {', '.join(FEEDBACK_VALUES)}")


def normalize_base_url(url):
    """``https://host[/prefix]`` or ``.../v1`` -> the API root ending in ``/v1``."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        log.warning("%s is plain HTTP: the API key travels unencrypted", url)
    return url if url.endswith("/v1") else f"{url}/v1"


def chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class OpenNCIIClient:
    """One partner's connection to one OpenNCII server.

    ``base_url`` is the server's address (``/v1`` is added if missing); ``api_key`` the
    key the operator created with ``flask partners add``. It is sent in both headers
    the StopNCII format defines.
    """

    def __init__(self, base_url, api_key, *, sleep=time.sleep):
        self.base_url = normalize_base_url(base_url)
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Ocp-Apim-Subscription-Key": api_key,
                "x-functions-key": api_key,
                "User-Agent": "openncii-exchange",
            }
        )
        self._sleep = sleep

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- requests ----------------------------------------------------------------

    def _request(self, method, endpoint, **kwargs):
        """The JSON body of a 2xx answer; waits out 429s and brief outages, else raises."""
        url = f"{self.base_url}/{endpoint}"
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = self.session.request(method, url, timeout=TIMEOUT, **kwargs)
            except requests.ConnectionError as error:
                if attempt == ATTEMPTS:
                    raise OpenNCIIError(f"cannot reach {url}: {error}") from error
                self._sleep(min(2**attempt, MAX_RETRY_WAIT))
                continue
            status = response.status_code
            if status == 429 or status in RETRY_STATUSES:
                if attempt == ATTEMPTS:
                    break
                wait = retry_after(response, default=2**attempt)
                log.info("%s %s: %s, retrying in %s s", method, endpoint, status, wait)
                self._sleep(wait)
                continue
            if status < 400:
                return orjson.loads(response.content)
            break
        raise error_for(response)

    def fetch_pages(self, start_timestamp, page_token=None, page_size=MAX_PAGE_SIZE):
        """Yield FetchHashes pages (plain dicts) from a timestamp or a page token.

        The server decides the position from the token alone; ``start_timestamp`` is
        sent with every page as the format requires.
        """
        params = {"startTimestamp": start_timestamp, "pageSize": page_size}
        while True:
            if page_token:
                params["nextPageToken"] = page_token
            page = self._request("GET", "FetchHashes", params=params)
            yield page
            page_token = page.get("nextPageToken")
            if not page.get("hasMoreRecords") or not page_token:
                return

    def submit_feedback(self, feedbacks: t.Iterable[Feedback]):
        """Send verdicts, ``MAX_ITEMS`` per request; return the hash values the server lacks."""
        unknown = []
        for batch in chunks(feedbacks, MAX_ITEMS):
            body = {
                "count": len(batch),
                "hashFeedbacks": [
                    {"hashValue": f.hash_value, "feedbackValue": f.value, "tags": list(f.tags)}
                    for f in batch
                ],
            }
            unknown += self._request("POST", "SubmitFeedback", json=body).get("unknownHashes", [])
        return unknown

    def submit_hashes(self, feedbacks: t.Iterable[Feedback]):
        """Contribute hashes the platform found itself, ``MAX_ITEMS`` per request.

        Returns how many hashes the server stored.
        """
        stored = 0
        for batch in chunks(feedbacks, MAX_ITEMS):
            now = int(time.time())
            body = {
                "count": len(batch),
                "hashRecords": [
                    {
                        "lastModtimestamp": now,
                        "signalType": f.signal_type,
                        "hashValue": f.hash_value,
                        "CSPFeedbacks": [{"feedbackValue": f.value, "tags": list(f.tags)}],
                    }
                    for f in batch
                ],
            }
            stored += self._request("POST", "SubmitHashes", json=body).get("count", 0)
        return stored

    def match_hashes(self, hashes, max_distance=DEFAULT_MATCH_DISTANCE):
        """Ask which active hashes match each ``(signal_type, hash_value)`` (MatchHashes).

        PDQ hashes match within ``max_distance`` bits, MD5s exactly; ``MAX_ITEMS`` per
        request. Returns one result per hash, in order: ``{"signalType", "hashValue",
        "matches": [feed record + "distance", nearest first]}``. The server keeps none of
        the hashes asked about.
        """
        results = []
        for batch in chunks(hashes, MAX_ITEMS):
            body = {
                "count": len(batch),
                "hashes": [
                    {"signalType": kind, "hashValue": value}
                    | ({"maxDistance": max_distance} if kind == "ImagePDQ" else {})
                    for kind, value in batch
                ],
            }
            results += self._request("POST", "MatchHashes", json=body)["results"]
        return results


def retry_after(response, default):
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date), capped."""
    raw = response.headers.get("Retry-After", "").strip()
    wait = default
    if raw.isdigit():
        wait = int(raw)
    elif raw:
        try:
            wait = email.utils.parsedate_to_datetime(raw).timestamp() - time.time()
        except (TypeError, ValueError):
            pass
    return max(0, min(wait, MAX_RETRY_WAIT))


def error_for(response):
    """An OpenNCIIError that quotes the server's ``{"error": ...}`` and says what to do."""
    try:
        detail = response.json().get("error", "")
    except (ValueError, AttributeError):
        detail = ""
    detail = detail or response.reason or "no details"
    status = response.status_code
    if status == 401:
        return OpenNCIIAccessError(
            f"OpenNCII refused the API key (401: {detail}). Check the key you configured "
            "(TX_OPENNCII_KEYS or ~/.tx_openncii_keys); if the operator rotated it, ask "
            "them for the new one.",
            status,
        )
    if status == 403:
        return OpenNCIIAccessError(
            f"OpenNCII has revoked this partner's access (403: {detail}). "
            "Contact the operator of the server.",
            status,
        )
    return OpenNCIIError(f"OpenNCII answered {status}: {detail}", status)
