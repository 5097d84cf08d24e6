"""E-mailing the case number through a real SMTP server (aiosmtpd on 127.0.0.1)."""

import base64
import logging
import socket
import zlib
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from case_helpers import create_case, csrf_token, database_dump
from helpers import logged_text

ADDRESS = "quiet.harbour-4417@example.net"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    found = Inbox()
    controller = Controller(found, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield found, f"smtp://127.0.0.1:{controller.port}"
    controller.stop()


@pytest.fixture
def mail_app(storage_app, inbox):
    storage_app.config["SMTP_URL"] = inbox[1]
    return storage_app


def send(client, address=ADDRESS):
    return client.post(
        "/en/submit/done/email", data={"csrf_token": csrf_token(client), "address": address}
    )


def session_cookie_text(client):
    """The session cookie's payload, decoded (Flask compresses and base64-encodes it)."""
    value = client.get_cookie("session").value
    payload = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(raw) if value.startswith(".") else raw).decode()


def test_case_number_is_mailed_once_and_the_address_kept_nowhere(mail_app, inbox, caplog):
    caplog.set_level(logging.DEBUG)
    client = mail_app.test_client()
    number = create_case(client)
    assert 'data-testid="email-form"' in client.get("/en/submit/done").get_data(as_text=True)
    before = client.get_cookie("session").value

    response = send(client)
    assert response.status_code == 302
    ((recipients, message),) = inbox[0].messages
    assert recipients == [ADDRESS] and message["To"] == ADDRESS
    assert message["Subject"] == "Your case number"
    assert message.get_content_type() == "text/plain"
    assert number in message.get_content()

    page = client.get("/en/submit/done").get_data(as_text=True)
    assert "We sent the case number" in page and 'data-testid="email-form"' not in page
    assert send(client).status_code == 302 and len(inbox[0].messages) == 1  # once only

    replayed = mail_app.test_client()  # the cookie as it was before sending, copied
    replayed.set_cookie("session", before)
    assert send(replayed).status_code == 302 and len(inbox[0].messages) == 1  # still once

    assert ADDRESS.encode() not in database_dump(mail_app)
    assert ADDRESS not in logged_text(caplog, ignore="mail.log")
    assert ADDRESS not in session_cookie_text(client) and "new_case" in session_cookie_text(client)


def test_a_bad_address_is_refused_without_sending(mail_app, inbox):
    client = mail_app.test_client()
    create_case(client)
    response = send(client, "not an address")
    assert response.status_code == 400 and 'href="#address"' in response.get_data(as_text=True)
    assert inbox[0].messages == []


def test_an_unreachable_server_is_reported_without_the_address(storage_app, caplog):
    caplog.set_level(logging.DEBUG)
    storage_app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    client = storage_app.test_client()
    create_case(client)
    response = send(client)
    assert response.status_code == 503
    assert "could not send the message" in response.get_data(as_text=True)
    assert ADDRESS not in logged_text(
        caplog, ignore="mail.log"
    ) and ADDRESS.encode() not in database_dump(storage_app)


def test_no_form_and_no_sending_without_smtp(storage_app):
    client = storage_app.test_client()
    create_case(client)
    assert 'data-testid="email-form"' not in client.get("/en/submit/done").get_data(as_text=True)
    assert send(client).status_code == 302
