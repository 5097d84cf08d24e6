"""Both JSON APIs refuse bad input the same way: problem codes, worded at the edge.

The case API words them for people, in their language; the partner API in the fixed
English that docs/partners.md documents. Both answer ``{"error", "errors": [{"message",
"index"?, "field"?}]}`` and store nothing.
"""

import ast
import re
import secrets
from pathlib import Path

from case_helpers import case_body, image_hash, post_case
from openncii import exchange, partners
from openncii.models import Signal
from openncii.problems import MAX_PROBLEMS
from openncii.views import partner_api

BAD_PDQ = "ab" * 31  # 62 hex characters: too short for ImagePDQ


def submit_hashes(app, body):
    client = app.test_client()
    with app.app_context():
        _, key = partners.create("pics.example")
    headers = {"Ocp-Apim-Subscription-Key": key, "x-functions-key": key}
    return client.post("/v1/SubmitHashes", json=body, headers=headers)


def test_a_bad_hash_is_reported_alike_by_both_apis(storage_app):
    people = post_case(
        storage_app.test_client(),
        case_body([image_hash(), image_hash(hashValue=BAD_PDQ)], lang="de"),
    )
    good = {"signalType": "ImagePDQ", "hashValue": secrets.token_hex(32)}
    bad = {"signalType": "ImagePDQ", "hashValue": BAD_PDQ}
    platforms = submit_hashes(storage_app, {"count": 2, "hashRecords": [good, bad]})

    assert people.status_code == platforms.status_code == 400
    assert people.get_json() == {
        "error": "Der Fall wurde nicht angelegt. Es wurde nichts gespeichert.",
        "errors": [
            {
                "index": 1,
                "field": "hashValue",
                "message": "ImagePDQ-Hashes müssen aus 64 Hexadezimalzeichen (0-9, a-f) bestehen.",
            }
        ],
    }
    message = "hashRecords[1].hashValue must be 64 hex characters for ImagePDQ."
    assert platforms.get_json() == {
        "error": message,
        "errors": [{"index": 1, "field": "hashValue", "message": message}],
    }
    with storage_app.app_context():
        assert Signal.select().count() == 0


def test_partners_hear_of_every_bad_item_at_once(app):
    records = [{"signalType": "ImagePDQ", "hashValue": BAD_PDQ}] * 3 + [
        {"signalType": "Text", "hashValue": BAD_PDQ, "CSPFeedbacks": [{"feedbackValue": "Meh"}]}
    ]
    answer = submit_hashes(app, {"count": 5, "hashRecords": records}).get_json()
    assert answer["error"] == "count must equal the number of items in hashRecords."
    assert [(item.get("index"), item["field"]) for item in answer["errors"]] == [
        (None, "count"),
        (0, "hashValue"),
        (1, "hashValue"),
        (2, "hashValue"),
        (3, "signalType"),
        (3, "CSPFeedbacks[0].feedbackValue"),
    ]
    assert answer["errors"][-1]["message"].startswith(
        "hashRecords[3].CSPFeedbacks[0].feedbackValue must be one of None, QualityUnknown,"
    )


def test_partners_get_a_bounded_list(app):
    records = [{"signalType": "ImagePDQ", "hashValue": BAD_PDQ}] * 1000
    answer = submit_hashes(app, {"hashRecords": records}).get_json()
    assert len(answer["errors"]) == MAX_PROBLEMS


def test_every_partner_message_is_worded():
    """Each code the exchange can report has an English message (a missing one is a 500)."""
    tree = ast.parse(Path(exchange.__file__).read_text())
    codes = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) in ("Problem", "report")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    codes |= {"json", "whole_number"}  # reported by the view itself
    assert codes and codes == set(partner_api.MESSAGES)


def test_partners_guide_gives_every_message():
    """docs/partners.md quotes each English message (``<where>`` and numbers filled in)."""
    guide = (Path(__file__).resolve().parents[1] / "docs" / "partners.md").read_text()
    templates = []
    for message in partner_api.MESSAGES.values():
        templates += [message({"length": 64}), message({})] if callable(message) else [message]
    for template in templates:
        for words in re.split(r"\{\w+\}", template):
            assert words.strip() in guide, template
