"""The ``openncii`` SignalExchangeAPI: OpenNCII's feed in python-threatexchange and HMA.

It reads the same wire format as threatexchange's ``stop_ncii`` exchange, with the
differences that matter to the people whose hashes these are:

- a hash whose ``hashStatus`` is ``Withdrawn`` or ``Deleted`` leaves the dataset (the
  stock exchange compares the hash *value* with those statuses, so it never does);
- verdicts go back to the server (``report_opinion`` -> SubmitFeedback), so the person
  sees on their case page that a platform found and blocked their picture;
- its own credentials (``TX_OPENNCII_KEYS``), so one HMA can use StopNCII and OpenNCII
  side by side.
"""

import contextlib
import logging
import time
import typing as t
from dataclasses import dataclass, field

from threatexchange.exchanges import auth, signal_exchange_api
from threatexchange.exchanges import fetch_state as state
from threatexchange.exchanges.clients.stopncii.api import (
    StopNCIICSPFeedback,
    StopNCIICSPFeedbackValue,
)
from threatexchange.exchanges.collab_config import CollaborationConfigWithDefaults
from threatexchange.exchanges.impl.stop_ncii_api import (
    StopNCIICheckpoint,
    StopNCIISignalMetadata,
)
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal
from threatexchange.signal_type.signal_base import SignalType

from .client import (
    MAX_PAGE_SIZE,
    Feedback,
    OpenNCIIAccessError,
    OpenNCIIClient,
    OpenNCIIError,
    normalize_base_url,
)

log = logging.getLogger(__name__)

API_NAME = "openncii"
START_TIMESTAMP = 0  # a first fetch starts at the beginning of the feed
GONE = ("Withdrawn", "Deleted")  # hashStatus values that take a hash out of the dataset
KEPT = ("Received", "Active")
# Wire signal type <-> threatexchange SignalType
SIGNAL_TYPES: dict[str, type[SignalType]] = {
    "ImagePDQ": PdqSignal,
    "VideoMD5": VideoMD5Signal,
}
WIRE_NAME = {signal_type: wire for wire, signal_type in SIGNAL_TYPES.items()}
OPINION_FEEDBACK = {
    state.SignalOpinionCategory.POSITIVE_CLASS: "Blocked",
    state.SignalOpinionCategory.NEGATIVE_CLASS: "NotBlocked",
    state.SignalOpinionCategory.INVESTIGATION_SEED: "PendingReview",
}


@dataclass
class OpenNCIICollabConfig(CollaborationConfigWithDefaults):
    """One OpenNCII server to fetch from (the server is chosen by the credentials)."""

    api: str = field(init=False, default=API_NAME)
    page_size: int = field(
        default=MAX_PAGE_SIZE,
        metadata={"help": f"hash records per FetchHashes request (1-{MAX_PAGE_SIZE})"},
    )


@dataclass
class OpenNCIICheckpoint(StopNCIICheckpoint):
    """Where the next fetch starts.

    ``update_time`` is the server's ``nextSetTimestamp``. ``page_token`` is set while a
    sync is under way (more pages to come), so an interrupted fetch continues with the
    next page instead of starting over from ``update_time``.
    """

    page_token: str | None = None


@dataclass
class OpenNCIISignalMetadata(StopNCIISignalMetadata):
    """A hash's verdicts from platforms (``feedbacks``) and how many cases hold it."""

    cases: int = 0


@dataclass
class OpenNCIICredentials(auth.CredentialHelper):
    """The API key an OpenNCII operator issued (``flask partners add``) and the server URL.

    As a string (``TX_OPENNCII_KEYS`` or ``~/.tx_openncii_keys``): ``KEY,BASE_URL``.
    """

    ENV_VARIABLE: t.ClassVar[str] = "TX_OPENNCII_KEYS"
    FILE_NAME: t.ClassVar[str] = "~/.tx_openncii_keys"

    api_key: str = field(metadata={"help": "the partner API key issued by the operator"})
    base_url: str = field(
        metadata={"help": "the server's address, e.g. https://openncii.example.org/v1"}
    )

    @classmethod
    def _from_str(cls, s: str) -> "OpenNCIICredentials":
        key, comma, base_url = s.strip().partition(",")
        if not comma:
            raise ValueError("OpenNCII credentials are 'KEY,BASE_URL'")
        return cls(api_key=key.strip(), base_url=base_url.strip())

    def _are_valid(self) -> bool:
        try:
            normalize_base_url(self.base_url)
        except ValueError:
            return False
        return bool(self.api_key) and "," not in self.api_key


class OpenNCIISignalExchangeAPI(
    auth.SignalExchangeWithAuth[OpenNCIICollabConfig, OpenNCIICredentials],
    signal_exchange_api.SignalExchangeAPIWithSimpleUpdates[
        OpenNCIICollabConfig,
        OpenNCIICheckpoint,
        OpenNCIISignalMetadata,
    ],
):
    """Hashes of people's intimate images from an OpenNCII server, and verdicts back.

    Records are keyed ``(signal type name, hash)``; a later record replaces an earlier
    one, and a withdrawn or deleted one removes the hash.
    """

    def __init__(self, collab: OpenNCIICollabConfig, client: OpenNCIIClient) -> None:
        super().__init__()
        self.collab = collab
        self.client = client

    @classmethod
    def get_name(cls) -> str:
        return API_NAME

    @staticmethod
    def get_config_cls() -> type[OpenNCIICollabConfig]:
        return OpenNCIICollabConfig

    @staticmethod
    def get_checkpoint_cls() -> type[OpenNCIICheckpoint]:
        return OpenNCIICheckpoint

    @staticmethod
    def get_record_cls() -> type[OpenNCIISignalMetadata]:
        return OpenNCIISignalMetadata

    @staticmethod
    def get_credential_cls() -> type[OpenNCIICredentials]:
        return OpenNCIICredentials

    @classmethod
    def for_collab(
        cls,
        collab: OpenNCIICollabConfig,
        credentials: OpenNCIICredentials | None = None,
    ) -> "OpenNCIISignalExchangeAPI":
        credentials = credentials or OpenNCIICredentials.get(cls)
        return cls(collab, OpenNCIIClient(credentials.base_url, credentials.api_key))

    # -- fetching ----------------------------------------------------------------

    def fetch_iter(
        self,
        supported_signal_types: t.Sequence[type[SignalType]],
        checkpoint: OpenNCIICheckpoint | None,
    ) -> t.Iterator[state.FetchDelta[tuple[str, str], OpenNCIISignalMetadata, OpenNCIICheckpoint]]:
        start, token = START_TIMESTAMP, None
        if checkpoint is not None:
            start, token = checkpoint.update_time, checkpoint.page_token
        wanted = {WIRE_NAME[st]: st.get_name() for st in supported_signal_types if st in WIRE_NAME}
        page_size = getattr(self.collab, "page_size", MAX_PAGE_SIZE)
        with self._access_errors():
            try:
                yield from self._deltas(wanted, start, token, page_size)
            except OpenNCIIError as error:
                if not token or error.status != 400:
                    raise
                # A token from another server (or a restored database): start over at
                # the checkpoint's time, which re-sends at most what the token skipped.
                log.warning("OpenNCII refused the saved page token (%s); resuming by time", error)
                yield from self._deltas(wanted, start, None, page_size)

    def _deltas(self, wanted, start, token, page_size):
        for page in self.client.fetch_pages(start, token, page_size):
            more = page["hasMoreRecords"]
            yield state.FetchDelta(
                updates_from_records(page["hashRecords"], wanted),
                OpenNCIICheckpoint(
                    update_time=page["nextSetTimestamp"],
                    last_fetch_time=int(time.time()),
                    page_token=page["nextPageToken"] if more else None,
                ),
            )

    # -- reporting back ----------------------------------------------------------

    def report_opinion(
        self, s_type: type[SignalType], signal: str, opinion: state.SignalOpinion
    ) -> None:
        """Positive -> ``Blocked``, negative -> ``NotBlocked``, a seed -> ``PendingReview``."""
        self.report_feedback(s_type, signal, OPINION_FEEDBACK[opinion.category], opinion.tags)

    def report_pending_review(
        self, s_type: type[SignalType], signal: str, tags: t.Iterable[str] = ()
    ) -> None:
        """Tell the person a platform matched their hash and is reviewing the content."""
        self.report_feedback(s_type, signal, "PendingReview", tags)

    def report_feedback(
        self,
        s_type: type[SignalType],
        signal: str,
        value: str | StopNCIICSPFeedbackValue,
        tags: t.Iterable[str] = (),
    ) -> list[str]:
        """Send one verdict; returns ``[signal]`` if the server does not hold that hash."""
        return self.submit_feedback([feedback(s_type, signal, value, tags)])

    def submit_feedback(self, feedbacks: t.Iterable[Feedback]) -> list[str]:
        """Send many verdicts (split into requests the server accepts)."""
        with self._access_errors():
            return self.client.submit_feedback(feedbacks)

    def submit_hashes(self, feedbacks: t.Iterable[Feedback]) -> int:
        """Contribute hashes the platform found itself, each with its verdict."""
        with self._access_errors():
            return self.client.submit_hashes(feedbacks)

    @contextlib.contextmanager
    def _access_errors(self):
        """401/403 as the exception threatexchange's CLI reports as bad credentials."""
        try:
            yield
        except OpenNCIIAccessError as error:
            raise OpenNCIIAuthError(type(self), str(error)) from error


class OpenNCIIAuthError(auth.SignalExchangeAPIInvalidAuthException):
    """The server refused the key (401) or the partner's access is revoked (403)."""

    def __init__(self, api_cls, message):
        super().__init__(api_cls, message)
        self.args = (message,)


def feedback(s_type, signal, value, tags=()):
    """A :class:`Feedback` from threatexchange's types (SignalType class, enum or str)."""
    wire = WIRE_NAME.get(s_type)
    if wire is None:
        raise ValueError(f"OpenNCII exchanges only {', '.join(st.get_name() for st in WIRE_NAME)}")
    value = value.value if isinstance(value, StopNCIICSPFeedbackValue) else value
    return Feedback(wire, s_type.validate_signal_str(signal), value, tuple(sorted(set(tags))))


def updates_from_records(records, wanted):
    """``{(signal type name, hash): metadata or None}`` for one page's records.

    ``wanted`` maps wire signal types to threatexchange names; others are skipped.
    Withdrawn and deleted hashes map to None: the caller removes them.
    """
    updates = {}
    for record in records:
        name = wanted.get(record.get("signalType"))
        status = record.get("hashStatus")
        if name is None:
            continue
        key = (name, record["hashValue"])
        if status in GONE:
            updates[key] = None
        elif status in KEPT:
            updates[key] = OpenNCIISignalMetadata(
                [_verdict(f) for f in record.get("CSPFeedbacks") or ()],
                len(record.get("caseNumbers") or ()),
            )
        else:
            log.warning("skipping %s: unknown hashStatus %r", key, status)
    return updates


def _verdict(raw):
    try:
        value = StopNCIICSPFeedbackValue(raw.get("feedbackValue"))
    except ValueError:
        value = StopNCIICSPFeedbackValue.Unknown
    return StopNCIICSPFeedback(value, set(raw.get("tags") or ()), raw.get("source", ""))
