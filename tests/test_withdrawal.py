"""Withdrawal erases; the feed says Withdrawn, then Deleted, then the value is purged;
partner copies never override a victim; "shared" only once a partner has fetched.

Every test runs on SQLite and PostgreSQL, with the change log's clock in hand.
"""

import pytest
from case_helpers import PIN, database_dump, snapshot
from openncii import cases, exchange, partners, retention
from openncii.models import Case, CaseHash, Change, Partner, PartnerHash, Signal, WithdrawnHash

PDQ = ["%064x" % (0x1D * (i + 3)) for i in range(6)]
DAY = 24 * 3600
RETENTION = 30


@pytest.fixture
def db(storage_app):
    with storage_app.app_context():
        yield storage_app


def new_case(*pdq):
    number = cases.create_case(
        PIN, [cases.NewHash("ImagePDQ", value, 90, None) for value in pdq], rounds=4
    )
    return Case.get(Case.number == number)


def sync(partner=None, start=0):
    """Follow the feed to its end as ``partner``: {hashValue: record}."""
    latest, token = {}, None
    while True:
        page = exchange.fetch_page(start, 2, token, partner=partner)
        latest.update((record["hashValue"], record) for record in page.records)
        if not page.has_more:
            return latest
        token = page.next_page_token


def partner_submits(partner, *values):
    items = exchange.parse_hash_records(
        {"hashRecords": [{"signalType": "ImagePDQ", "hashValue": value} for value in values]}
    )
    exchange.submit_hashes(partner, items)


def statuses(records):
    return {value: record["hashStatus"] for value, record in records.items()}


def holds_value(app, value):
    """Whether any row of any table still holds ``value``."""
    return any(value in row for rows in snapshot(app).values() for row in rows)


def test_withdrawn_then_deleted_then_purged(db, clock):
    alpha, _ = partners.create("Alpha")
    case = new_case(PDQ[0], PDQ[1])
    keeper = new_case(PDQ[1])  # PDQ[1] stays active in another case
    sync(alpha)
    clock.t += 10
    assert cases.withdraw(case.id)
    assert Case.get_or_none(Case.id == case.id) is None
    assert CaseHash.select().where(CaseHash.case == case.id).count() == 0
    assert not any(case.pin_hash in row for row in snapshot(db)["Case"])

    records = sync(alpha)
    assert statuses(records) == {PDQ[0]: "Withdrawn", PDQ[1]: "Active"}
    assert records[PDQ[0]]["caseNumbers"] == {case.reference: "Withdrawn"}
    assert records[PDQ[1]]["caseNumbers"] == {
        case.reference: "Withdrawn",
        keeper.reference: "Active",
    }

    clock.t += RETENTION * DAY - 1  # one second short of the retention
    assert retention.purge(RETENTION) == retention.Purged()
    assert statuses(sync(alpha, clock.t)) == {}  # nothing changed

    clock.t += 1
    done = retention.purge(RETENTION)
    assert (done.expired, done.deleted, done.purged) == (2, 1, 0)
    records = sync(alpha, clock.t)
    assert statuses(records) == {PDQ[0]: "Deleted", PDQ[1]: "Active"}
    assert records[PDQ[0]]["caseNumbers"] == {}
    assert records[PDQ[1]]["caseNumbers"] == {keeper.reference: "Active"}

    new_case(PDQ[5])  # the Deleted change is no longer the newest in the log
    assert retention.purge(RETENTION).purged == 1  # Alpha has fetched it: nobody needs it
    assert not holds_value(db, PDQ[0])
    assert Signal.select().where(Signal.value == PDQ[0]).count() == 0
    assert WithdrawnHash.select().count() == 0
    assert holds_value(db, PDQ[1])  # an active case holds it
    assert PDQ[0] not in sync()  # a partner starting afresh never sees it


def test_deleted_waits_for_partners_at_most_another_retention(db, clock):
    alpha, _ = partners.create("Alpha")
    partners.create("Dormant")  # never fetches
    cases.withdraw(new_case(PDQ[0]).id)
    clock.t += RETENTION * DAY
    assert retention.purge(RETENTION).deleted == 1
    sync(alpha)
    new_case(PDQ[5])
    assert retention.purge(RETENTION).purged == 0  # Dormant has not fetched Deleted yet
    assert statuses(sync()) == {PDQ[0]: "Deleted", PDQ[5]: "Active"}
    clock.t += RETENTION * DAY
    assert retention.purge(RETENTION).purged == 1
    assert not holds_value(db, PDQ[0])


def test_a_new_case_makes_a_deleted_hash_active_again(db, clock):
    cases.withdraw(new_case(PDQ[0]).id)
    clock.t += RETENTION * DAY
    retention.purge(RETENTION)
    assert statuses(sync()) == {PDQ[0]: "Deleted"}
    again = new_case(PDQ[0])
    assert retention.purge(RETENTION).purged == 0
    assert sync()[PDQ[0]]["hashStatus"] == "Active"
    assert sync()[PDQ[0]]["caseNumbers"] == {again.reference: "Active"}


def test_partner_copies_never_make_a_withdrawn_hash_active(db, clock):
    alpha, _ = partners.create("Alpha")
    beta, _ = partners.create("Beta")
    partner_submits(alpha, PDQ[0])  # before the victim's case
    assert statuses(sync(beta)) == {PDQ[0]: "Received"}
    case = new_case(PDQ[0], PDQ[1])
    assert statuses(sync(beta)) == {PDQ[0]: "Active", PDQ[1]: "Active"}
    clock.t += 1
    cases.withdraw(case.id)
    partner_submits(alpha, PDQ[0], PDQ[1])  # after: e.g. Alpha sends its whole copy back
    partner_submits(beta, PDQ[1])
    assert statuses(sync(beta)) == {PDQ[0]: "Withdrawn", PDQ[1]: "Withdrawn"}
    assert statuses(sync(alpha)) == {PDQ[0]: "Withdrawn", PDQ[1]: "Withdrawn"}
    clock.t += RETENTION * DAY
    retention.purge(RETENTION)
    partner_submits(alpha, PDQ[1])
    assert statuses(sync(beta)) == {PDQ[0]: "Deleted", PDQ[1]: "Deleted"}
    sync(alpha)
    new_case(PDQ[5])
    assert retention.purge(RETENTION).purged == 2
    assert PartnerHash.select().count() == 0  # partner copies are purged with the value
    partner_submits(alpha, PDQ[0])  # after the purge: only a partner's report now
    assert sync(beta)[PDQ[0]]["hashStatus"] == "Received"


def test_shared_only_after_a_partner_fetch_crosses_the_change(db, clock):
    case = new_case(PDQ[0], PDQ[1], PDQ[2])

    def states():
        found = cases.case_status(case.id)
        return [item.state for item in found.hashes], found.partners

    assert states() == (["received"] * 3, 0)
    alpha, _ = partners.create("Alpha")
    beta, _ = partners.create("Beta")
    assert states() == (["received"] * 3, 0)  # partners exist, but have fetched nothing
    page = exchange.fetch_page(0, 2, partner=alpha)  # the first two hashes only
    assert [item.partners for item in cases.case_status(case.id).hashes] == [1, 1, 0]
    assert states() == (["shared", "shared", "received"], 0)
    exchange.fetch_page(0, 2, page.next_page_token, partner=alpha)
    assert states() == (["shared"] * 3, 1)
    sync(beta)
    assert states() == (["shared"] * 3, 2)
    partners.set_active("Beta", False)
    assert states() == (["shared"] * 3, 1)  # a revoked partner does not count


def test_a_fetch_that_skips_changes_does_not_count(db, clock):
    case = new_case(PDQ[0])
    clock.t += 100
    new_case(PDQ[1])
    alpha, _ = partners.create("Alpha")
    assert set(sync(alpha, start=clock.t)) == {PDQ[1]}  # started after the first case
    assert Partner.get_by_id(alpha.id).fetched_seq == 0
    assert cases.case_status(case.id).partners == 0
    sync(alpha)
    assert cases.case_status(case.id).partners == 1
    assert (
        Partner.get_by_id(alpha.id).fetched_seq
        == Change.select(Change.seq).order_by(Change.seq.desc()).scalar()
    )


def test_superseded_changes_go_once_every_partner_has_the_later_one(db, clock):
    alpha, _ = partners.create("Alpha")
    case = new_case(PDQ[0], PDQ[1])
    partner_submits(alpha, PDQ[0])
    items = exchange.parse_feedback(
        {"hashFeedbacks": [{"hashValue": PDQ[0], "feedbackValue": "Blocked"}]}
    )
    exchange.submit_feedback(alpha, items)
    assert Change.select().where(Change.signal == Signal.get(value=PDQ[0])).count() == 3
    assert retention.purge(RETENTION, prune=True).pruned == 0  # Alpha has none of them yet
    sync(alpha)
    assert retention.purge(RETENTION, prune=True).pruned == 2
    assert Change.select().count() == 2  # one per hash
    assert cases.case_status(case.id).partners == 1  # still known to be shared
    assert statuses(sync()) == {PDQ[0]: "Active", PDQ[1]: "Active"}


def test_cli_purge_erases_every_byte(storage_app, clock):
    with storage_app.app_context():
        case = new_case(PDQ[0])
        cases.withdraw(case.id)
        new_case(PDQ[1])
        clock.t += RETENTION * DAY
    runner = storage_app.test_cli_runner()
    result = runner.invoke(args=["cases", "purge"])
    assert result.exit_code == 0, result.output
    assert "Retention 30 days: 1 withdrawn references expired, 1 hashes now Deleted" in (
        result.output
    )
    with storage_app.app_context():
        new_case(PDQ[2])
    assert "1 hash values purged" in runner.invoke(args=["cases", "purge"]).output
    dump = database_dump(storage_app)
    assert PDQ[0].encode() not in dump and case.pin_hash.encode() not in dump
    assert PDQ[1].encode() in dump


def test_withdraw_through_the_feed_api_purges_opportunistically(storage_app, clock):
    """A partner reaching the end of the feed runs the due purge steps."""
    storage_app.config["WITHDRAWN_RETENTION_DAYS"] = 1
    with storage_app.app_context():
        _, key = partners.create("Alpha")
        cases.withdraw(new_case(PDQ[0]).id)
        clock.t += DAY
    client = storage_app.test_client()
    headers = {"Ocp-Apim-Subscription-Key": key, "x-functions-key": key}
    client.get("/v1/FetchHashes?startTimestamp=0", headers=headers)  # expires: now Deleted
    with storage_app.app_context():
        assert Signal.get(value=PDQ[0]).deleted_at == clock.t
        new_case(PDQ[1])
    records = client.get("/v1/FetchHashes?startTimestamp=0", headers=headers).get_json()
    assert {r["hashValue"]: r["hashStatus"] for r in records["hashRecords"]}[PDQ[0]] == "Deleted"
    with storage_app.app_context():
        assert not Signal.select().where(Signal.value == PDQ[0]).exists()
