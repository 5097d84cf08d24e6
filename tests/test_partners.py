"""Partner accounts: keys stored only hashed, checked in constant time, rotated, revoked."""

import pytest
from conftest import app_config
from openncii import create_app, partners
from openncii.models import Partner


def test_key_works_and_only_its_digest_is_stored(storage_app):
    with storage_app.app_context():
        partner, key = partners.create("ExampleSocial")
        key_id, secret = key.split(".")
        stored = Partner.get_by_id(partner.id)
        assert stored.key_id == key_id
        assert secret not in (stored.key_hash, stored.key_id, stored.name)
        assert len(stored.key_hash) == 64
        assert partners.authenticate(key).id == partner.id


@pytest.mark.parametrize(
    "mangle",
    [
        lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"),  # wrong secret
        lambda key: "0" * 16 + key[16:],  # unknown key id
        lambda key: key.replace(".", ""),  # no separator
        lambda key: key.split(".")[0] + ".",  # no secret
        lambda key: "",
        lambda key: "x" * 40 + "." + key.split(".")[1],  # over-long id
    ],
)
def test_wrong_keys_are_refused(app, mangle):
    with app.app_context():
        _, key = partners.create("ExampleSocial")
        assert partners.authenticate(mangle(key)) is None


def test_rotate_replaces_the_key(app):
    with app.app_context():
        _, old = partners.create("ExampleSocial")
        _, new = partners.rotate("ExampleSocial")
        assert partners.authenticate(old) is None
        assert partners.authenticate(new).name == "ExampleSocial"


def test_revoked_partner_is_known_but_inactive(app):
    with app.app_context():
        _, key = partners.create("ExampleSocial")
        partners.set_active("ExampleSocial", False)
        assert partners.authenticate(key).active is False
        partners.set_active("ExampleSocial", True)
        assert partners.authenticate(key).active is True


def test_keys_depend_on_the_secret_key(app, tmp_path):
    """The stored digest is keyed: the database alone cannot check a key."""
    with app.app_context():
        _, key = partners.create("ExampleSocial")
    other = create_app(app_config(app.config["DATABASE_URL"], SECRET_KEY="another-secret"))
    with other.app_context():
        assert partners.authenticate(key) is None


def test_names_must_be_new_and_known(app):
    with app.app_context():
        partners.create("ExampleSocial")
        with pytest.raises(partners.PartnerError):
            partners.create("ExampleSocial")
        with pytest.raises(partners.PartnerError):
            partners.create("   ")
        with pytest.raises(partners.PartnerError):
            partners.rotate("Nobody")


def test_cli_add_list_rotate_revoke_restore(app):
    runner = app.test_cli_runner()
    added = runner.invoke(args=["partners", "add", "ExampleSocial"])
    assert added.exit_code == 0, added.output
    key = added.output.strip().splitlines()[-1]
    with app.app_context():
        assert partners.authenticate(key).name == "ExampleSocial"

    listed = runner.invoke(args=["partners", "list"])
    assert listed.output.split() == ["ExampleSocial", key.split(".")[0], "active"]

    rotated = runner.invoke(args=["partners", "rotate", "ExampleSocial"])
    new_key = rotated.output.strip().splitlines()[-1]
    assert runner.invoke(args=["partners", "revoke", "ExampleSocial"]).exit_code == 0
    with app.app_context():
        assert partners.authenticate(key) is None
        assert partners.authenticate(new_key).active is False
    assert "revoked" in runner.invoke(args=["partners", "list"]).output
    assert runner.invoke(args=["partners", "restore", "ExampleSocial"]).exit_code == 0
    with app.app_context():
        assert partners.authenticate(new_key).active is True


def test_cli_reports_mistakes_without_a_traceback(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["partners", "add", "ExampleSocial"])
    for args in (["add", "ExampleSocial"], ["revoke", "Nobody"], ["rotate", "Nobody"]):
        result = runner.invoke(args=["partners", *args])
        assert result.exit_code == 1
        assert result.output.startswith("Error: ")
        assert "Traceback" not in result.output
