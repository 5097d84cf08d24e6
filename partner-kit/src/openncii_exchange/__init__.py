"""OpenNCII's hash exchange for python-threatexchange and Hasher-Matcher-Actioner.

Add it to the threatexchange CLI with ``threatexchange config extensions add
openncii_exchange``; in HMA, list :class:`OpenNCIISignalExchangeAPI` in the
``exchange_types`` of ``DefaultOMMStore`` (see docs/partners.md in the OpenNCII repo).
"""

from threatexchange.extensions.manifest import ThreatExchangeExtensionManifest

from .client import Feedback, OpenNCIIAccessError, OpenNCIIClient, OpenNCIIError
from .exchange import (
    OpenNCIIAuthError,
    OpenNCIICheckpoint,
    OpenNCIICollabConfig,
    OpenNCIICredentials,
    OpenNCIISignalExchangeAPI,
    OpenNCIISignalMetadata,
)

TX_MANIFEST = ThreatExchangeExtensionManifest(apis=(OpenNCIISignalExchangeAPI,))

__all__ = [
    "TX_MANIFEST",
    "Feedback",
    "OpenNCIIAccessError",
    "OpenNCIIAuthError",
    "OpenNCIICheckpoint",
    "OpenNCIIClient",
    "OpenNCIICollabConfig",
    "OpenNCIICredentials",
    "OpenNCIIError",
    "OpenNCIISignalExchangeAPI",
    "OpenNCIISignalMetadata",
]
