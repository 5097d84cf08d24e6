"""The partner kit (``partner-kit/``, package ``openncii_exchange``) against a live server.

Driven through the real ``threatexchange`` CLI from PyPI with the kit added as an
extension, as a partner would run it, and through the kit's library and command.
"""

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import openncii_exchange
import pytest
import requests
from case_helpers import case_page_states
from conftest import csrf_token_of
from hashing_reference import photo, reference_hash
from openncii import exchange, partners
from openncii.models import PartnerHash
from openncii_exchange import (
    Feedback,
    OpenNCIICheckpoint,
    OpenNCIICollabConfig,
    OpenNCIICredentials,
    OpenNCIISignalExchangeAPI,
    client,
    report,
)
from PIL import Image
from threatexchange.exchanges.auth import SignalExchangeAPIInvalidAuthException
from threatexchange.exchanges.fetch_state import SignalOpinion, SignalOpinionCategory
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal

PIN = "amber-meadow-58"
BIN = Path(sys.executable).parent


class Victim:
    """A person on the site (through HTTP, as their browser would): files, checks, withdraws."""

    def __init__(self, base_url, hashes):
        self.base_url = base_url
        self.session = requests.Session()
        body = {"pin": PIN, "consent": True, "hashes": hashes}
        response = self.session.post(
            f"{base_url}/api/cases", json=body, headers={"X-CSRFToken": self._token()}
        )
        assert response.status_code == 201, response.text
        self.number = response.json()["caseNumber"]

    def _token(self):
        return csrf_token_of(self.session.get(f"{self.base_url}/en/status").text)

    def case_page(self):
        """{hash: (state, partner reports)} as the case page shows them."""
        return case_page_states(self.base_url, self.number.replace("-", ""), PIN)

    def withdraw(self):
        self.session.post(
            f"{self.base_url}/en/status",
            data={"csrf_token": self._token(), "case_number": self.number, "pin": PIN},
        )
        done = self.session.post(
            f"{self.base_url}/en/status/withdraw",
            data={"csrf_token": self._token(), "step": "confirm", "pin": PIN, "confirm": "y"},
        )
        assert "Your case is withdrawn" in done.text


def picture(folder, seed):
    """A generated photo on disk and its PDQ (hash, quality), as the wizard computes it."""
    rgb = photo(np.random.default_rng(seed), 640, 480)
    path = folder / f"picture-{seed}.png"
    Image.fromarray(rgb).save(path)
    return path, *reference_hash(rgb)


def pdq_entry(value, quality=90):
    return {"signalType": "ImagePDQ", "hashValue": value, "quality": quality}


def new_partner(app, name="ExampleSocial"):
    """The API key of a new partner of ``app``."""
    with app.app_context():
        return partners.create(name)[1]


@pytest.fixture
def cli(tmp_path):
    """``cli(key, base_url)`` -> run(*args): the threatexchange CLI in its own home directory."""
    home = tmp_path / "home"
    home.mkdir()

    def make(key, base_url):
        environment = {
            **os.environ,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "TX_OPENNCII_KEYS": f"{key},{base_url}/v1",
        }
        environment.pop("TX_STATEDIR", None)

        def run(*args, tool="threatexchange", check=True):
            done = subprocess.run(
                [str(BIN / tool), *args],
                env=environment,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if check:
                assert done.returncode == 0, done.stdout + done.stderr
            return done

        return run

    return make


def dataset_signals(run):
    """The CLI dataset's signal lines (``pdq <hash> 'OpenNCII' ...``)."""
    printed = run("dataset", "--print-signals").stdout
    return [line for line in printed.splitlines() if line.strip()]


def test_cli_fetch_match_withdrawal_and_feedback_round_trip(app, serve, cli, tmp_path):
    partner_key = new_partner(app)
    app.config["SHOW_PARTNER_NAMES"] = True
    base_url = serve(app)
    shared, shared_hash, quality = picture(tmp_path, 1)
    kept, kept_hash, _ = picture(tmp_path, 3)
    _, reviewed_hash, _ = picture(tmp_path, 4)
    assert quality >= 50  # below, threatexchange does not hash or match the picture
    leaving = Victim(base_url, [pdq_entry(shared_hash, quality)])
    staying = Victim(base_url, [pdq_entry(kept_hash), pdq_entry(reviewed_hash)])
    run = cli(partner_key, base_url)

    assert (
        "openncii - OpenNCIISignalExchangeAPI"
        in run("config", "extensions", "add", "openncii_exchange").stdout
    )
    run("config", "collab", "edit", "openncii", "--create", "OpenNCII")
    run("fetch")
    assert sorted(line.split()[1] for line in dataset_signals(run)) == sorted(
        [shared_hash, kept_hash, reviewed_hash]
    )
    matched = run("match", "photo", str(shared)).stdout
    assert "pdq" in matched and "OpenNCII" in matched

    leaving.withdraw()
    run("fetch")
    assert sorted(line.split()[1] for line in dataset_signals(run)) == sorted(
        [kept_hash, reviewed_hash]
    )
    assert run("match", "photo", str(shared)).stdout.strip() == ""
    assert "OpenNCII" in run("match", "photo", str(kept)).stdout

    label = run("label", "-H", "pdq", "-l", "nudity", "OpenNCII", "photo", "--", kept_hash)
    assert label.returncode == 0
    report = run("pending-review", reviewed_hash, tool="openncii-report")
    assert report.stdout.strip() == "Reported PendingReview for 1 hash(es)."
    assert staying.case_page() == {
        kept_hash: ("blocked", "ExampleSocial: Blocked"),
        reviewed_hash: ("under_review", "ExampleSocial: Match found, under review"),
    }
    run("fetch")  # the verdicts come back in the feed
    assert "+ExampleSocial" in run("match", "photo", str(kept)).stdout


def test_cli_explains_a_refused_key(app, serve, cli):
    partner_key = new_partner(app)
    base_url = serve(app)
    run = cli(partner_key + "x", base_url)
    run("config", "extensions", "add", "openncii_exchange")
    run("config", "collab", "edit", "openncii", "--create", "OpenNCII")
    refused = run("-v", "fetch", check=False)  # -v: the CLI shows why a collab failed
    assert refused.returncode == 3
    assert "OpenNCII refused the API key (401: This API key is not valid.)" in refused.stderr
    with app.app_context():
        partners.set_active("ExampleSocial", False)
    revoked = cli(partner_key, base_url)("blocked", "ab" * 32, tool="openncii-report", check=False)
    assert revoked.returncode == 1
    assert "revoked this partner's access (403" in revoked.stderr


def test_report_command_names_unknown_and_malformed_hashes(app, serve, monkeypatch, capsys):
    base_url = serve(app)
    monkeypatch.setenv("TX_OPENNCII_KEYS", f"{new_partner(app)},{base_url}")
    known, unknown = f"{0xAB:064x}", f"{0xCD:032x}"
    Victim(base_url, [pdq_entry(known)])
    assert report.main(["blocked", known, unknown.upper(), "--tag", "nudity"]) == 3
    printed = capsys.readouterr()
    assert printed.out == "Reported Blocked for 1 hash(es).\n"
    assert printed.err == f"Not known to the server: {unknown}\n"
    assert report.main(["not-blocked", "-", "--json"], stdin=io.StringIO(f"{known}\n\n")) == 0
    assert json.loads(capsys.readouterr().out) == {"reported": 1, "unknownHashes": []}
    assert report.main(["blocked", "not-a-hash"]) == 1
    assert "not a PDQ or MD5 hash: 'not-a-hash'" in capsys.readouterr().err
    monkeypatch.delenv("TX_OPENNCII_KEYS")
    monkeypatch.setenv("HOME", "/nonexistent")
    assert report.main(["blocked", known]) == 1
    assert "TX_OPENNCII_KEYS" in capsys.readouterr().err


def api_for(base_url, key, page_size=2000):
    collab = OpenNCIICollabConfig(name="OpenNCII", page_size=page_size)
    return OpenNCIISignalExchangeAPI.for_collab(
        collab, OpenNCIICredentials(api_key=key, base_url=base_url)
    )


def merged(api, checkpoint=None, stop_after=None, dataset=None):
    """Follow fetch_iter, merging as the CLI does: (dataset, last checkpoint, deltas seen)."""
    dataset, deltas = dict(dataset or {}), 0
    for delta in api.fetch_iter([PdqSignal, VideoMD5Signal], checkpoint):
        OpenNCIISignalExchangeAPI.naive_fetch_merge(dataset, delta.updates)
        checkpoint, deltas = delta.checkpoint, deltas + 1
        if deltas == stop_after:
            break
    return dataset, checkpoint, deltas


def test_fetch_resumes_from_the_checkpoint_and_applies_withdrawals(storage_app, serve):
    partner_key = new_partner(storage_app)
    base_url = serve(storage_app)
    hashes = ["%064x" % (0xD1 * (i + 1)) for i in range(5)]
    first = Victim(base_url, [pdq_entry(value) for value in hashes[:3]])
    Victim(base_url, [pdq_entry(value) for value in hashes[3:]])
    api = api_for(base_url, partner_key, page_size=2)

    part, checkpoint, _ = merged(api, stop_after=1)  # interrupted after one page
    assert len(part) == 2 and checkpoint.page_token
    rest, checkpoint, deltas = merged(api, checkpoint)
    assert deltas == 2 and set(part) | set(rest) == {("pdq", value) for value in hashes}
    assert not set(part) & set(rest)  # the token carried the position: nothing re-sent
    assert checkpoint.page_token is None

    first.withdraw()
    removed = {
        key
        for delta in api.fetch_iter([PdqSignal], checkpoint)
        for key, value in delta.updates.items()
        if value is None
    }
    assert removed == {("pdq", value) for value in hashes[:3]}
    dataset, _, _ = merged(api, checkpoint, dataset={**part, **rest})
    assert set(dataset) == {("pdq", value) for value in hashes[3:]}


def test_report_opinion_sends_each_verdict(app, serve):
    partner_key = new_partner(app)
    app.config["SHOW_PARTNER_NAMES"] = True
    base_url = serve(app)
    values = ["%064x" % (0xE7 * (i + 1)) for i in range(3)]
    victim = Victim(base_url, [pdq_entry(value) for value in values])
    api = api_for(base_url, partner_key)
    for value, category in zip(
        values,
        [
            SignalOpinionCategory.POSITIVE_CLASS,
            SignalOpinionCategory.NEGATIVE_CLASS,
            SignalOpinionCategory.INVESTIGATION_SEED,
        ],
        strict=True,
    ):
        api.report_opinion(PdqSignal, value, SignalOpinion(True, category, {"reviewed"}))
    assert victim.case_page() == {
        values[0]: ("blocked", "ExampleSocial: Blocked"),
        values[1]: ("not_removed", "ExampleSocial: Reviewed, not removed"),
        values[2]: ("under_review", "ExampleSocial: Match found, under review"),
    }
    api.report_pending_review(PdqSignal, values[1])
    assert victim.case_page()[values[1]][0] == "under_review"
    assert api.report_feedback(PdqSignal, "0" * 64, "Blocked") == ["0" * 64]


def recorded(api):
    """[(status, request body)] of every answer the kit's session receives from now on."""
    sent = []
    api.client.session.hooks["response"].append(
        lambda response, **_: sent.append((response.status_code, response.request.body))
    )
    return sent


def test_2500_hashes_go_in_requests_the_server_accepts(app, serve):
    api = api_for(serve(app), new_partner(app, "BulkSocial"))
    sent = recorded(api)
    values = ["%064x" % (i + 1) for i in range(2500)]
    stored = api.submit_hashes(
        Feedback("ImagePDQ", value, "Blocked", ("found",)) for value in values
    )
    assert stored == 2500
    assert [status for status, _ in sent] == [200, 200, 200]
    assert [body.count(b'"hashValue"') for _, body in sent] == [1000, 1000, 500]
    with app.app_context():
        assert PartnerHash.select().count() == 2500
    assert api.submit_feedback(Feedback("ImagePDQ", value, "NotBlocked") for value in values) == []
    assert [status for status, _ in sent[3:]] == [200, 200, 200]


def test_a_rate_limited_partner_waits_as_told_and_carries_on(make_app, serve):
    app = make_app(RATELIMIT_ENABLED=True, PARTNER_RATE_LIMIT="1 per 2 seconds")
    key = new_partner(app, "PatientSocial")
    values = ["%064x" % (0xF3 * (i + 1)) for i in range(2)]
    base_url = serve(app)
    Victim(base_url, [pdq_entry(value) for value in values])
    api = api_for(base_url, key, page_size=1)
    sent = recorded(api)
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        time.sleep(seconds)

    api.client._sleep = sleep
    dataset, _, _ = merged(api)
    assert set(dataset) == {("pdq", value) for value in values}
    assert [status for status, _ in sent] == [200, 429, 200]
    assert len(waits) == 1 and 0 < waits[0] <= 2


def test_match_hashes_finds_near_copies_and_says_so_on_the_case_page(app, serve):
    base_url = serve(app)
    held = f"{0xC0FFEE:064x}"
    victim = Victim(base_url, [pdq_entry(held)])
    api = api_for(base_url, new_partner(app, "SmallForum"))
    near = f"{int(held, 16) ^ 0b1011:064x}"  # 3 bits away
    found, unrelated = api.client.match_hashes(
        [("ImagePDQ", near), ("ImagePDQ", f"{2**255 - 1:064x}")]
    )
    assert [(m["hashValue"], m["distance"]) for m in found["matches"]] == [(held, 3)]
    assert unrelated["matches"] == []
    assert victim.case_page()[held][0] == "under_review"


def test_kit_limits_match_the_server():
    assert client.MAX_ITEMS == exchange.MAX_ITEMS
    assert client.MAX_PAGE_SIZE == exchange.MAX_PAGE_SIZE
    assert client.DEFAULT_MATCH_DISTANCE == exchange.DEFAULT_MATCH_DISTANCE
    assert client.FEEDBACK_VALUES == exchange.FEEDBACK_VALUES
    assert openncii_exchange.TX_MANIFEST.apis == (OpenNCIISignalExchangeAPI,)


def test_credentials_from_the_environment_and_checkpoint_round_trip(monkeypatch):
    monkeypatch.setenv("TX_OPENNCII_KEYS", "abc.def,https://openncii.example.org")
    credentials = OpenNCIICredentials.get(OpenNCIISignalExchangeAPI)
    assert (credentials.api_key, credentials.base_url) == (
        "abc.def",
        "https://openncii.example.org",
    )
    assert api_for(credentials.base_url, "k").client.base_url == "https://openncii.example.org/v1"
    monkeypatch.setenv("TX_OPENNCII_KEYS", "no-url-here")
    with pytest.raises(SignalExchangeAPIInvalidAuthException):
        OpenNCIICredentials.get(OpenNCIISignalExchangeAPI)
    from threatexchange.utils import dataclass_json

    checkpoint = OpenNCIICheckpoint(update_time=5, last_fetch_time=6, page_token="abc")
    assert (
        dataclass_json.dataclass_load_dict(
            dataclass_json.dataclass_dump_dict(checkpoint), OpenNCIICheckpoint
        )
        == checkpoint
    )
