"""Helpers for the case tests: request bodies, creating cases, database snapshots, and
reading a case page as its owner sees it."""

import re
import secrets
import subprocess
from pathlib import Path

import requests
from conftest import csrf_token_of
from openncii import cases
from openncii.models import MODELS

PIN = "tulip-river-7"


def image_hash(**extra):
    return {"signalType": "ImagePDQ", "hashValue": secrets.token_hex(32), "quality": 90, **extra}


def video_hash():
    return {"signalType": "VideoMD5", "hashValue": secrets.token_hex(16)}


def case_body(hashes=None, pin=PIN, **extra):
    """A valid ``POST /api/cases`` body: two pictures and a video with one frame."""
    if hashes is None:
        hashes = [image_hash(), video_hash(), image_hash(frameOf=1), image_hash()]
    return {"pin": pin, "hashes": hashes, "consent": True, **extra}


def as_read(response):
    """The page as a person reads it: without tags (the case number's groups are elements)."""
    return re.sub(r"<[^>]+>", "", response.get_data(as_text=True))


def csrf_token(client, lang="en"):
    return csrf_token_of(client.get(f"/{lang}/status").get_data(as_text=True))


def post_case(client, body, token=None, headers=(), **kwargs):
    headers = {"X-CSRFToken": token or csrf_token(client), **dict(headers)}
    return client.post("/api/cases", json=body, headers=headers, **kwargs)


def create_case(client, body=None):
    """Create a case through the API; return its number as shown to the person."""
    response = post_case(client, body or case_body())
    assert response.status_code == 201, response.get_json()
    return response.get_json()["caseNumber"]


def sign_in(client, number, pin=PIN, lang="en", **kwargs):
    return client.post(
        f"/{lang}/status",
        data={"csrf_token": csrf_token(client, lang), "case_number": number, "pin": pin},
        **kwargs,
    )


def snapshot(app):
    """Every row of every table, to compare before and after a refused request."""
    with app.app_context():
        return {model.__name__: sorted(map(repr, model.select().tuples())) for model in MODELS}


def database_dump(app):
    """Every byte the database holds: the SQLite files, or ``pg_dump`` of the database."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return b"".join(
            Path(f"{path}{suffix}").read_bytes()
            for suffix in ("", "-wal", "-shm")
            if Path(f"{path}{suffix}").exists()
        )
    return subprocess.run(["pg_dump", "--no-owner", url], check=True, capture_output=True).stdout


def case_page_states(base_url, number, pin=PIN):
    """Sign in to the case page as the victim; return {hash value: (state, partner reports)}."""
    with requests.Session() as browser:
        token = csrf_token_of(browser.get(f"{base_url}/en/status").text)
        page = browser.post(
            f"{base_url}/en/status",
            data={"csrf_token": token, "case_number": cases.format_case_number(number), "pin": pin},
        )
        assert page.status_code == 200, page.text
    states = {}
    for row in page.text.split('data-testid="case-file"')[1:]:
        value = re.search(r'data-testid="hash-value">([0-9a-f]+)<', row).group(1)
        reports = re.search(r'data-testid="partner-reports">(.*?)</ul>', row, re.S)
        states[value] = (
            re.search(r'data-state="(\w+)"', row).group(1),
            " ".join(re.sub(r"<[^>]+>", "", reports.group(1)).split()) if reports else "",
        )
    return states
