"""The exchange: feed records and paging, feedback, partner hashes, and the cursor's exactness."""

import json
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openncii import cases, changelog, exchange, partners
from openncii.db import database, is_postgres, write_transaction
from openncii.migrations import v0003_feed_cursor_index
from openncii.models import MODELS, Case, Change, Feedback, Signal
from openncii.problems import Invalid
from openncii.views import partner_api

PDQ = ["%064x" % (0xA5 * (i + 1)) for i in range(6)]
MD5 = ["%032x" % (0x5A * (i + 1)) for i in range(3)]


def refusal(parse, body):
    """What ``parse(body)`` refuses, as partners read it (the English messages)."""
    with pytest.raises(Invalid) as refused:
        parse(body)
    return " ".join(
        partner_api.problem_message(problem, refused.value.items)
        for problem in refused.value.problems
    )


def new_case(*pdq):
    """A case holding these PDQ hashes; returns its row."""
    number = cases.create_case(
        "open-sesame-42", [cases.NewHash("ImagePDQ", value, 90, None) for value in pdq], rounds=4
    )
    return Case.get(Case.number == number)


def sync(start=0, page_size=800):
    """Follow the feed to its end: (pages, {hashValue: last record}, nextSetTimestamp)."""
    pages, latest, token = [], {}, None
    while True:
        page = exchange.fetch_page(start, page_size, token)
        pages.append(page)
        latest.update((record["hashValue"], record) for record in page.records)
        if not page.has_more:
            return pages, latest, page.next_set_timestamp
        token = page.next_page_token


def test_empty_feed_echoes_the_start(storage_app):
    with storage_app.app_context():
        page = exchange.fetch_page(1234, 10)
    assert page.as_json() == {
        "count": 0,
        "nextPageToken": None,
        "nextSetTimestamp": 1234,
        "hasMoreRecords": False,
        "hashRecords": [],
    }


def test_records_are_current_snapshots(storage_app, clock):
    with storage_app.app_context():
        case = new_case(PDQ[0], PDQ[1])
        _, latest, _ = sync()
    assert set(latest) == {PDQ[0], PDQ[1]}
    assert latest[PDQ[0]] == {
        "lastModtimestamp": clock.t,
        "signalType": "ImagePDQ",
        "hashValue": PDQ[0],
        "hashStatus": "Active",
        "caseNumbers": {case.reference: "Active"},
        "CSPFeedbacks": [],
    }
    assert case.number not in json.dumps(latest)


def test_paging_is_complete_deduplicated_and_never_goes_back(storage_app, clock):
    with storage_app.app_context():
        for index, value in enumerate(PDQ):
            clock.t += index % 2  # pairs of changes share a second
            new_case(value)
        new_case(PDQ[0])  # PDQ[0] changes twice
        pages, latest, checkpoint = sync(page_size=2)
    assert set(latest) == set(PDQ)
    assert [page.has_more for page in pages] == [True] * (len(pages) - 1) + [False]
    stamps = [page.next_set_timestamp for page in pages]
    assert stamps == sorted(stamps) and checkpoint == clock.t
    for page in pages:
        values = [record["hashValue"] for record in page.records]
        assert len(values) == len(set(values))
        assert page.as_json()["count"] == len(values)
    assert len(latest[PDQ[0]]["caseNumbers"]) == 2


def test_resume_sees_only_the_last_second_and_newer(storage_app, clock):
    with storage_app.app_context():
        new_case(PDQ[0])
        clock.t += 5
        new_case(PDQ[1])
        _, _, checkpoint = sync()
        clock.t += 1
        new_case(PDQ[2])
        _, latest, newer = sync(checkpoint)
        _, nothing_new, same = sync(newer)
    assert set(latest) == {PDQ[1], PDQ[2]}  # the checkpoint's own second comes again
    assert set(nothing_new) == {PDQ[2]} and same == newer


def test_withdrawal_is_published_per_case_and_in_aggregate(storage_app, clock):
    with storage_app.app_context():
        first, second = new_case(PDQ[0], PDQ[1]), new_case(PDQ[1])
        _, _, checkpoint = sync()
        clock.t += 1
        cases.withdraw(first.id)
        _, latest, checkpoint = sync(checkpoint)
        assert latest[PDQ[0]]["hashStatus"] == "Withdrawn"
        assert latest[PDQ[0]]["caseNumbers"] == {first.reference: "Withdrawn"}
        assert latest[PDQ[1]]["hashStatus"] == "Active"  # still in the second case
        assert latest[PDQ[1]]["caseNumbers"] == {
            first.reference: "Withdrawn",
            second.reference: "Active",
        }
        clock.t += 1
        cases.withdraw(second.id)
        _, latest, _ = sync(checkpoint)
    assert latest[PDQ[1]]["hashStatus"] == "Withdrawn"
    assert latest[PDQ[1]]["caseNumbers"] == {
        first.reference: "Withdrawn",
        second.reference: "Withdrawn",
    }


def test_aggregate_status_follows_victims_cases_only():
    status = exchange.aggregate_status
    assert status(["Withdrawn", "Active"], False, False) == "Active"
    assert status(["Active"], False, True) == "Active"
    assert status(["Withdrawn"], False, True) == "Withdrawn"  # a partner copy changes nothing
    assert status(["Withdrawn", "Withdrawn"], False, False) == "Withdrawn"
    assert status([], True, True) == "Deleted"
    assert status([], False, True) == "Received"  # only partners ever sent it
    assert status([], False, False) == "Deleted"


def feedback_items(*entries):
    return exchange.parse_feedback(
        {
            "count": len(entries),
            "hashFeedbacks": [
                {"hashValue": value, "feedbackValue": verdict, "tags": list(tags)}
                for value, verdict, *tags in entries
            ],
        }
    )


def test_feedback_is_published_replaced_and_unknown_hashes_reported(storage_app, clock):
    with storage_app.app_context():
        new_case(PDQ[0])
        partner, _ = partners.create("ExampleSocial")
        other, _ = partners.create("OtherVideo")
        _, _, checkpoint = sync()
        clock.t += 1
        stored, unknown = exchange.submit_feedback(
            partner,
            feedback_items(
                (PDQ[0].upper(), "PendingReview", "nudity"),
                (PDQ[5], "Blocked"),
                (MD5[0], "Blocked"),
            ),
        )
        assert (stored, unknown) == (1, [PDQ[5], MD5[0]])
        exchange.submit_feedback(other, feedback_items((PDQ[0], "NotBlocked")))
        _, latest, checkpoint = sync(checkpoint)
        assert latest[PDQ[0]]["CSPFeedbacks"] == [
            {"feedbackValue": "PendingReview", "tags": ["nudity"], "source": "ExampleSocial"},
            {"feedbackValue": "NotBlocked", "tags": [], "source": "OtherVideo"},
        ]
        changes = Change.select().count()
        exchange.submit_feedback(partner, feedback_items((PDQ[0], "PendingReview", "nudity")))
        assert Change.select().count() == changes  # nothing new to publish
        exchange.submit_feedback(partner, feedback_items((PDQ[0], "Blocked")))
        assert Feedback.select().where(Feedback.partner == partner).count() == 1
        _, latest, _ = sync(checkpoint)
    assert latest[PDQ[0]]["CSPFeedbacks"][0]["feedbackValue"] == "Blocked"


def test_partner_hashes_join_the_feed(storage_app, clock):
    with storage_app.app_context():
        partner, _ = partners.create("ExampleSocial")
        new_case(PDQ[0])
        items = exchange.parse_hash_records(
            {
                "count": 3,
                "hashRecords": [
                    {
                        "lastModtimestamp": 5,
                        "signalType": "StopNCIISignalType.ImagePDQ",
                        "hashValue": PDQ[0],
                        "CSPFeedbacks": [{"feedbackValue": "Blocked", "tags": ["seen"]}],
                    },
                    {"signalType": "VideoMD5", "hashValue": MD5[0]},
                    {"signalType": "ImagePDQ", "hashValue": PDQ[0]},
                ],
            }
        )
        assert exchange.submit_hashes(partner, items) == 2
        _, latest, _ = sync()
        assert exchange.submit_hashes(partner, items[1:2]) == 1  # already held: no change
        _, again, _ = sync(latest[MD5[0]]["lastModtimestamp"] + 1)
    assert latest[MD5[0]]["hashStatus"] == "Received" and latest[MD5[0]]["caseNumbers"] == {}
    assert latest[PDQ[0]]["hashStatus"] == "Active"  # a victim's case holds it
    assert latest[MD5[0]]["signalType"] == "VideoMD5"
    assert latest[PDQ[0]]["CSPFeedbacks"] == [
        {"feedbackValue": "Blocked", "tags": ["seen"], "source": "ExampleSocial"}
    ]
    assert again == {}


@pytest.mark.parametrize(
    "body, message",
    [
        ([], "The body must be a JSON object."),
        ({"count": 1}, "hashFeedbacks must be a list."),
        (
            {"count": 2, "hashFeedbacks": [{"hashValue": PDQ[0], "feedbackValue": "Blocked"}]},
            "count must equal",
        ),
        (
            {"hashFeedbacks": [{"hashValue": PDQ[0], "feedbackValue": "Blocked"}, "x"]},
            "hashFeedbacks[1] must be a JSON object.",
        ),
        (
            {
                "hashFeedbacks": [
                    {"hashValue": PDQ[0], "feedbackValue": "Blocked"},
                    {"hashValue": "zz" * 32, "feedbackValue": "Blocked"},
                ]
            },
            "hashFeedbacks[1].hashValue must be",
        ),
        (
            {"hashFeedbacks": [{"hashValue": PDQ[0][:-1], "feedbackValue": "Blocked"}]},
            "hashFeedbacks[0].hashValue",
        ),
        (
            {"hashFeedbacks": [{"hashValue": PDQ[0], "feedbackValue": "Unknown"}]},
            "hashFeedbacks[0].feedbackValue must be one of",
        ),
        (
            {"hashFeedbacks": [{"hashValue": PDQ[0], "feedbackValue": "Blocked", "tags": "a"}]},
            "hashFeedbacks[0].tags",
        ),
        (
            {"hashFeedbacks": [{"hashValue": PDQ[0], "feedbackValue": "Blocked", "tags": [""]}]},
            "hashFeedbacks[0].tags",
        ),
        (
            {"hashFeedbacks": [{"hashValue": PDQ[0], "feedbackValue": "None"}] * 1001},
            "at most 1000 items",
        ),
    ],
)
def test_malformed_feedback_names_the_item(body, message):
    assert message in refusal(exchange.parse_feedback, body)


@pytest.mark.parametrize(
    "record, message",
    [
        ({"signalType": "Text", "hashValue": PDQ[0]}, "hashRecords[1].signalType must be one of"),
        (
            {"signalType": "VideoMD5", "hashValue": PDQ[0]},
            "hashRecords[1].hashValue must be 32 hex",
        ),
        (
            {"signalType": "ImagePDQ", "hashValue": PDQ[0], "lastModtimestamp": "now"},
            "hashRecords[1].lastModtimestamp",
        ),
        (
            {
                "signalType": "ImagePDQ",
                "hashValue": PDQ[0],
                "CSPFeedbacks": [{"feedbackValue": "Meh"}],
            },
            "hashRecords[1].CSPFeedbacks[0].feedbackValue",
        ),
        (
            {"signalType": "ImagePDQ", "hashValue": PDQ[0], "CSPFeedbacks": {}},
            "hashRecords[1].CSPFeedbacks must be a list",
        ),
    ],
)
def test_malformed_hash_records_name_the_item(record, message):
    body = {"hashRecords": [{"signalType": "ImagePDQ", "hashValue": PDQ[1]}, record]}
    assert message in refusal(exchange.parse_hash_records, body)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "!!!",
        "bm90IGEgdG9rZW4",
        exchange.encode_token(1, 2)[:-2],
        exchange.encode_token(-1, 5),
        exchange.encode_token(2**60, 5),
    ],
)
def test_foreign_tokens_are_refused(token):
    with pytest.raises(Invalid):
        exchange.decode_token(token)


@pytest.mark.parametrize("start, size", [(-1, 10), (0, 0), (0, exchange.MAX_PAGE_SIZE + 1)])
def test_fetch_arguments_are_checked(app, start, size):
    with app.app_context(), pytest.raises(Invalid):
        exchange.fetch_page(start, size)


def test_migration_replaces_the_at_index(app):
    """An installation from before v0003 (index on ``at`` alone) gets the (at, seq) index."""
    with app.app_context():
        database.execute_sql('DROP INDEX "change_at_seq"')
        database.execute_sql('CREATE INDEX "change_at" ON "change" ("at")')
        v0003_feed_cursor_index.upgrade(database)
        indexes = {index.name for index in database.get_indexes("change")}
    assert "change_at_seq" in indexes and "change_at" not in indexes


# -- the cursor under concurrency ----------------------------------------------------
#
# Three writers, each a thread with its own connection and transaction, and one paging
# reader, take turns in an order Hypothesis chooses. A writer's "write" replaces its
# partner's verdict on a hash and appends to the change log, exactly like
# exchange.submit_feedback, but split so that transactions can begin, write, commit and
# roll back interleaved with each other and with the reader's pages; the clock may
# stand still (same-second changes), move on, or step back. The model knows which step
# must wait for the log's lock (PostgreSQL: the first append while another transaction
# holds it; SQLite: BEGIN IMMEDIATE while another writer is in a transaction) and lets
# at most one writer wait at a time, so every run is deterministic; on PostgreSQL the
# test also checks that such a step really waits.

VERDICTS = ("PendingReview", "Blocked", "NotBlocked")


class Writer:
    """One connection in its own thread; ``run`` executes a function there."""

    def __init__(self, app, name):
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.app = app
        self.pending = None  # a step waiting for the lock
        self.pid = self.run(self._enter).result()
        self.name = name
        self.partner = None
        self.txn = None
        self.writes = {}  # signal id -> verdict, this transaction
        self.began = 0  # model step of its current BEGIN

    def run(self, fn, *args):
        return self.pool.submit(fn, *args)

    def _enter(self):
        self.context = self.app.app_context()
        self.context.push()
        database.connect(reuse_if_open=True)
        if is_postgres():
            return database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        return None

    def _exit(self):
        database.close()
        self.context.pop()

    def begin(self):
        self.txn = write_transaction()
        self.txn.__enter__()

    def write(self, signal_id, verdict):
        (
            Feedback.insert(partner=self.partner, signal=signal_id, value=verdict)
            .on_conflict(
                conflict_target=[Feedback.partner, Feedback.signal],
                update={Feedback.value: verdict},
            )
            .execute()
        )
        changelog.append([signal_id], "feedback")

    def end(self, commit):
        if commit:
            self.txn.__exit__(None, None, None)
        else:
            self.txn.__exit__(RuntimeError, RuntimeError("rolled back"), None)
        self.txn = None

    def close(self):
        self.run(self._exit).result()
        self.pool.shutdown()


class Scenario:
    """The model: who is in a transaction, who holds the log's lock, what is committed."""

    def __init__(self, writers, signal_ids, clock):
        self.writers, self.signal_ids, self.clock = writers, signal_ids, clock
        self.postgres = is_postgres()
        self.step = 0
        self.open = set()  # writers in a transaction
        self.holder = None  # writer holding the lock
        self.waiting = None  # writer whose step waits for the lock
        self.committed = {}  # (partner name, signal id) -> verdict
        self.commits = []  # (step, signal ids)
        self.deliveries = []  # (step, signal id)
        self.checkpoint, self.token, self.sync_start = 0, None, 0
        self.last_set = 0

    def needs_lock(self, writer, action):
        if writer is self.holder:
            return False
        return action == ("write" if self.postgres else "begin")

    def actions(self):
        found = [("tick",), ("read",)]
        for writer in self.writers:
            if writer is self.waiting:
                continue
            steps = ["write", "commit", "rollback"] if writer in self.open else ["begin"]
            for action in steps:
                if self.needs_lock(writer, action) and self.holder and self.waiting:
                    continue  # a second waiter would make the order nondeterministic
                found.append((action, writer))
        return found

    def do(self, action, draw):
        self.step += 1
        kind = action[0]
        if kind == "tick":
            step = draw(st.sampled_from([-1, 0, 0, 1, 2]))
            self.clock.t += step
            if step < 0:
                event("the clock stepped back")
        elif kind == "read":
            self.read(draw(st.integers(1, 3)))
        else:
            self.writer_step(kind, action[1], draw)

    def writer_step(self, kind, writer, draw):
        if kind in ("commit", "rollback"):
            writer.run(writer.end, kind == "commit").result()
            if kind == "commit":
                if any(other.began < writer.began for other in self.open if other is not writer):
                    event("a transaction committed before one that began earlier")
                for signal_id, verdict in writer.writes.items():
                    self.committed[writer.name, signal_id] = verdict
                self.commits.append((self.step, set(writer.writes)))
            writer.writes = {}
            self.open.discard(writer)
            if writer is self.holder:
                self.release()
            return
        if kind == "begin":
            self.open.add(writer)
            writer.began = self.step
            future = writer.run(writer.begin)
        else:
            signal_id = draw(st.sampled_from(self.signal_ids))
            verdict = draw(st.sampled_from(VERDICTS))
            writer.writes[signal_id] = verdict
            future = writer.run(writer.write, signal_id, verdict)
        if not self.needs_lock(writer, kind):
            future.result()
        elif self.holder is None:
            future.result()
            self.holder = writer
        else:
            self.wait_behind_holder(writer, future)

    def wait_behind_holder(self, writer, future):
        """``writer``'s step must wait until the holder ends; check it really does."""
        event("a writer waited for the change log's lock")
        if self.postgres:
            assert not self.done_or_waiting(writer, future), "append did not wait for the lock"
        writer.pending, self.waiting = future, writer

    def done_or_waiting(self, writer, future):
        """True if the step finished; False once PostgreSQL shows it waiting for a lock."""
        while True:
            try:
                future.result(timeout=0.01)
                return True
            except FutureTimeout:
                waiting = database.execute_sql(
                    "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", (writer.pid,)
                ).fetchone()[0]
                if waiting:
                    return False

    def release(self):
        self.holder = None
        if self.waiting:
            writer, self.waiting = self.waiting, None
            writer.pending.result()
            writer.pending, self.holder = None, writer

    def read(self, page_size):
        page = exchange.fetch_page(self.checkpoint, page_size, self.token)
        if self.open:
            event("the reader paged while transactions were open")
        if self.token is None:
            self.sync_start = self.checkpoint
        ids = self.ids_of(page.records)
        assert len(set(ids)) == len(ids) == page.as_json()["count"]
        assert page.next_set_timestamp >= self.last_set  # never goes back
        self.last_set = page.next_set_timestamp
        for signal_id, record in zip(ids, page.records, strict=True):
            assert record["lastModtimestamp"] >= self.sync_start
            self.deliveries.append((self.step, signal_id))
            verdicts = {f["source"]: f["feedbackValue"] for f in record["CSPFeedbacks"]}
            expected = {
                name: verdict for (name, sid), verdict in self.committed.items() if sid == signal_id
            }
            assert verdicts == expected, "a record is not the committed state at read time"
        if page.has_more:
            self.token = page.next_page_token
        else:
            assert page.next_page_token is None
            self.token, self.checkpoint = None, page.next_set_timestamp

    def ids_of(self, records):
        by_value = {value: sid for sid, value in Signal.select(Signal.id, Signal.value).tuples()}
        return [by_value[record["hashValue"]] for record in records]

    def finish(self, draw):
        """End every transaction (in a drawn order), then read until the feed is done."""
        while self.open:
            writer = draw(
                st.sampled_from(
                    [w for w in self.writers if w in self.open and w is not self.waiting]
                )
            )
            self.step += 1
            self.writer_step(draw(st.sampled_from(["commit", "rollback"])), writer, draw)
        self.step += 1
        self.read(exchange.MAX_PAGE_SIZE)
        while self.token:
            self.read(exchange.MAX_PAGE_SIZE)

    def check_nothing_skipped(self):
        for committed_at, signal_ids in self.commits:
            for signal_id in signal_ids:
                assert any(
                    step > committed_at and sid == signal_id for step, sid in self.deliveries
                ), f"change to signal {signal_id} committed at step {committed_at} never delivered"


def reset(app, clock):
    """Empty tables, three hashes in one case, three partners."""
    if is_postgres():
        tables = ", ".join(f'"{model._meta.table_name}"' for model in MODELS)
        database.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    else:
        for model in reversed(MODELS):
            model.delete().execute()
    clock.t = 1_700_000_000
    new_case(*PDQ[:3])
    return [signal.id for signal in Signal.select().order_by(Signal.id)]


@pytest.mark.slow
def test_cursor_is_exact_under_interleaved_writers(storage_app, clock):
    writers = [Writer(storage_app, f"P{n}") for n in range(3)]

    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.data())
    def scenario(data):
        signal_ids = reset(storage_app, clock)
        for writer in writers:
            writer.partner, _ = partners.create(writer.name)
            writer.writes = {}
        model = Scenario(writers, signal_ids, clock)
        try:
            for _ in range(data.draw(st.integers(5, 40))):
                model.do(data.draw(st.sampled_from(model.actions())), data.draw)
            model.finish(data.draw)
        finally:
            abandon(writers)
        model.check_nothing_skipped()

    try:
        with storage_app.app_context():
            scenario()
    finally:
        for writer in writers:
            writer.close()


def abandon(writers):
    """After a failed step: roll back what is open, the lock holder before its waiter."""
    for writer in sorted(writers, key=lambda w: w.pending is not None):
        if writer.pending is not None:
            writer.pending.exception()
            writer.pending = None
        if writer.txn is not None:
            writer.run(writer.end, False).result()
