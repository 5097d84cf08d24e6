"""``openncii-report``: send a moderation verdict on hashes to an OpenNCII server.

For platforms whose matcher (HMA, or their own) does not send feedback: call this from
the moderation tool when a match has been reviewed. The person who submitted the hash
sees the verdict on their case page.

    openncii-report blocked 0f3c...e1 --tag nudity
    openncii-report pending-review 0f3c...e1
    cut -f1 reviewed.tsv | openncii-report not-blocked -

Credentials as for the exchange: ``KEY,BASE_URL`` in ``TX_OPENNCII_KEYS`` or
``~/.tx_openncii_keys``. Exit status: 0 all reported, 3 some hashes are unknown to the
server (the others were reported), 1 error (the message says which).
"""

import argparse
import json
import sys

from threatexchange.exchanges import auth

from .client import Feedback, OpenNCIIClient, OpenNCIIError
from .exchange import OpenNCIICredentials, OpenNCIISignalExchangeAPI

VERDICTS = {
    "pending-review": "PendingReview",  # matched; a moderator is looking at it
    "blocked": "Blocked",  # reviewed: intimate image shared without consent, removed
    "not-blocked": "NotBlocked",  # reviewed: not actioned
}
SIGNAL_TYPE_BY_LENGTH = {64: "ImagePDQ", 32: "VideoMD5"}
EXIT_UNKNOWN = 3


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="openncii-report", description=__doc__.split("\n\n")[0].split(": ", 1)[1]
    )
    parser.add_argument("verdict", choices=sorted(VERDICTS), help="what the review found")
    parser.add_argument(
        "hashes", nargs="+", help="PDQ (64 hex) or video MD5 (32 hex) hashes; - reads stdin"
    )
    parser.add_argument(
        "--tag", "-t", action="append", default=[], help="a label to attach (repeatable)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser.parse_args(argv)


def hash_values(args, stdin):
    for value in args:
        if value == "-":
            yield from (line.strip() for line in stdin if line.strip())
        else:
            yield value.strip()


def feedbacks(values, verdict, tags):
    """Feedback items; ValueError names a value that is not a hash."""
    items = []
    for raw in values:
        value = raw.lower()
        kind = SIGNAL_TYPE_BY_LENGTH.get(len(value))
        if kind is None or any(c not in "0123456789abcdef" for c in value):
            raise ValueError(f"not a PDQ or MD5 hash: {raw!r}")
        items.append(Feedback(kind, value, VERDICTS[verdict], tuple(sorted(set(tags)))))
    return items


def main(argv=None, stdin=None):
    args = parse_args(argv)
    try:
        items = feedbacks(hash_values(args.hashes, stdin or sys.stdin), args.verdict, args.tag)
        credentials = OpenNCIICredentials.get(OpenNCIISignalExchangeAPI)
        with OpenNCIIClient(credentials.base_url, credentials.api_key) as client:
            unknown = client.submit_feedback(items)
    except auth.SignalExchangeAPIMissingAuthException as error:
        return fail(error.pretty_str())
    except auth.SignalExchangeAPIInvalidAuthException as error:
        return fail(error.message)
    except (ValueError, OpenNCIIError) as error:
        return fail(str(error))
    reported = len({item.hash_value for item in items}) - len(unknown)
    if args.json:
        print(json.dumps({"reported": reported, "unknownHashes": unknown}))
    else:
        print(f"Reported {VERDICTS[args.verdict]} for {reported} hash(es).")
        for value in unknown:
            print(f"Not known to the server: {value}", file=sys.stderr)
    return EXIT_UNKNOWN if unknown else 0


def fail(message):
    print(f"openncii-report: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
