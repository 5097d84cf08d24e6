"""A partner's full sync of 1,000,000 hashes, on SQLite and on PostgreSQL.

For each database: bulk-load N hashes (50,000 cases of 20), start the app under
gunicorn (1 sync worker) on 127.0.0.1, and time a full sync through every page with

- the stock ``threatexchange`` client (``StopNCIIAPI.fetch_hashes_iter``, 800 per page,
  dacite parsing ~35 us per record; target < 60 s),
- the partner kit (``openncii_exchange``: ``OpenNCIISignalExchangeAPI.fetch_iter``, 2,000
  per page, one kept-alive connection; target < 30 s),
- plain ``requests`` at both page sizes: the server and HTTP alone (the client's
  ``json.loads`` of each page is timed apart and printed beside it).

The baseline, measured in the same run, is a plain ``SELECT`` of the same rows (hash,
type, case reference, status) straight from the database; the server + HTTP part should
reach 0.1 x its rows/s. Also prints the server's peak RSS after the first page and at the
end (flat = no whole-table loads), and the CPU seconds of gunicorn's worker: on a busy
shared machine wall times measure the neighbours too; CPU seconds much less so (on SQLite
they hold all the database work, and are compared with the plain SELECT's CPU).

    python bench/feed.py [--hashes N] [--only sqlite|postgres]
    python bench/feed.py --quick      # 2,000 hashes: a smoke run of the same path
"""

import json
import os
import secrets
import tempfile
import time
from pathlib import Path

import requests
from databases import databases, hash_run_arguments
from openncii import create_app, partners
from openncii.db import database, is_postgres
from openncii_exchange import (
    OpenNCIICollabConfig,
    OpenNCIICredentials,
    OpenNCIISignalExchangeAPI,
)
from serving import gunicorn
from threatexchange.exchanges.clients.stopncii.api import StopNCIIAPI
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal

SECRET_KEY = secrets.token_hex(32)
PER_CASE = 20
BATCH = 20_000
PLAIN_SELECT = """
    SELECT s.signal_type, s.value, c.reference, c.status
    FROM "change" ch JOIN "signal" s ON s.id = ch.signal_id
    JOIN "case_hash" h ON h.signal_id = s.id JOIN "case" c ON c.id = h.case_id
    ORDER BY ch.seq"""


def batches(rows):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def table_rows(count, at, values=None):
    """The rows of each table for ``count`` hashes, ids counting from 1.

    ``values`` gives the hashes (hex) in order; by default 1, 2, 3... written as PDQ.
    """
    values = values or (f"{i:064x}" for i in range(1, count + 1))
    cases = count // PER_CASE
    return {
        "case": (
            "id, number, pin_hash, reference, status, created_at, updated_at",
            (
                (i, f"B{i:014d}", "-", secrets.token_hex(16), "active", at, at)
                for i in range(1, cases + 1)
            ),
        ),
        "signal": (
            "id, signal_type, value",
            ((i, "ImagePDQ", value) for i, value in enumerate(values, start=1)),
        ),
        "case_hash": (
            "id, case_id, signal_id, position, quality",
            ((i, (i - 1) // PER_CASE + 1, i, (i - 1) % PER_CASE, 90) for i in range(1, count + 1)),
        ),
        "change": (
            "seq, signal_id, at, reason",
            ((i, i, at, "case_created") for i in range(1, count + 1)),
        ),
    }


def bulk_load(count, values=None):
    """Insert ``count`` hashes with raw executemany (SQLite) or COPY (PostgreSQL)."""
    at = int(time.time())
    raw = database.current()
    for table, (columns, rows) in table_rows(count, at, values).items():
        with database.atomic():
            if is_postgres():
                with raw.cursor().copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(columns.split(", ")))
                for batch in batches(rows):
                    raw.cursor().executemany(
                        f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', batch
                    )
    if is_postgres():
        for table in ("case", "signal", "case_hash", "change"):
            database.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', "
                f"'{'seq' if table == 'change' else 'id'}'), {count})"
            )
    database.execute_sql("ANALYZE")


def plain_select_seconds():
    """(rows, wall seconds, CPU seconds of this process) of the plain SELECT."""
    started, cpu = time.perf_counter(), time.process_time()
    cursor = database.execute_sql(PLAIN_SELECT)
    rows = 0
    while batch := cursor.fetchmany(10_000):
        rows += len(batch)
    return rows, time.perf_counter() - started, time.process_time() - cpu


def worker_pid(master):
    return Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()[0]


def worker_cpu_seconds(master):
    """CPU seconds (user + system) gunicorn's worker has used so far.

    On a shared machine wall time mostly measures the neighbours; CPU seconds do not.
    """
    fields = Path(f"/proc/{worker_pid(master)}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(master):
    """Peak resident memory (VmHWM) of gunicorn's worker process."""
    for line in Path(f"/proc/{worker_pid(master)}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def timed(pages, server):
    """(records, seconds, server CPU seconds, server RSS after the first page) of
    following ``pages``."""
    started, cpu = time.perf_counter(), worker_cpu_seconds(server)
    records, first_page_rss = 0, None
    for count in pages:
        records += count
        if first_page_rss is None:
            first_page_rss = peak_rss_mb(server)
    return records, time.perf_counter() - started, worker_cpu_seconds(server) - cpu, first_page_rss


def stock_pages(base_url, key):
    client = StopNCIIAPI(key, key, base_url_override=f"{base_url}/v1")
    for page in client.fetch_hashes_iter():
        yield len(page.hashRecords)


def kit_pages(base_url, key):
    api = OpenNCIISignalExchangeAPI.for_collab(
        OpenNCIICollabConfig(name="Bench"), OpenNCIICredentials(api_key=key, base_url=base_url)
    )
    for delta in api.fetch_iter([PdqSignal, VideoMD5Signal], None):
        yield len(delta.updates)


def raw_pages(base_url, key, page_size, parsing):
    """The same pages with plain ``requests``: the server and HTTP alone.

    ``json.loads`` of each page is the client's work, not the server's: its seconds are
    added to ``parsing[0]`` so the caller can leave them out.
    """
    headers = {"Ocp-Apim-Subscription-Key": key, "x-functions-key": key}
    params = {"startTimestamp": StopNCIIAPI.DEFAULT_START_TIME, "pageSize": page_size}
    with requests.Session() as session:
        while True:
            body = session.get(f"{base_url}/v1/FetchHashes", params=params, headers=headers).content
            started = time.perf_counter()
            page = json.loads(body)
            parsing[0] += time.perf_counter() - started
            yield page["count"]
            if not page["hasMoreRecords"]:
                return
            params["nextPageToken"] = page["nextPageToken"]


def run(name, database_url, count, folder):
    sqlite = database_url.startswith("sqlite")  # all database work in our processes
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        started = time.perf_counter()
        bulk_load(count)
        loaded = time.perf_counter() - started
        _, key = partners.create("Bench")
        rows, select_seconds, select_cpu = plain_select_seconds()
        database.close()
    select_rate = rows / select_seconds
    print(f"{name}: loaded {count:,} hashes in {loaded:.1f} s")
    print(
        f"{name}: plain SELECT {select_rate:,.0f} rows/s ({select_seconds:.1f} s, "
        f"CPU {select_cpu:.1f} s in this process)"
    )
    environ = {"OPENNCII_DATABASE_URL": database_url, "OPENNCII_SECRET_KEY": SECRET_KEY}
    syncs = [
        ("stock client sync", stock_pages, (), "target < 60 s"),
        ("partner kit sync ", kit_pages, (), "target < 30 s"),
        ("server + HTTP, 800/page ", raw_pages, (800,), "target >= 0.1 x plain SELECT"),
        ("server + HTTP, 2000/page", raw_pages, (2000,), "target >= 0.1 x plain SELECT"),
    ]
    with gunicorn("wsgi:app", folder, environ, ["--workers", "1", "--timeout", "300"]) as (
        base_url,
        server,
    ):
        first_rss = None
        for label, pages, extra, target in syncs:
            parsing = [0.0]
            arguments = (*extra, parsing) if pages is raw_pages else extra
            records, seconds, server_cpu, rss = timed(pages(base_url, key, *arguments), server)
            assert records == rows == count, (label, records, rows, count)
            first_rss = first_rss or rss
            seconds = max(seconds - parsing[0], 1e-6)
            rate = records / seconds
            print(
                f"{name}: {label} {seconds:5.1f} s, {rate:,.0f} records/s "
                f"= {rate / select_rate:.3f} x plain SELECT ({target})"
                + (f"; client json.loads {parsing[0]:.1f} s more" if parsing[0] else "")
                + f"; server worker CPU {server_cpu:.1f} s"
                + (
                    f" = {select_cpu / max(server_cpu, 0.01):.3f} x plain SELECT's CPU"
                    if sqlite
                    else ""
                )
            )
        last_rss = peak_rss_mb(server)
    print(
        f"{name}: server peak RSS {first_rss:.0f} MB after the first page, "
        f"{last_rss:.0f} MB at the end"
    )


def main():
    args = hash_run_arguments(__doc__, hashes=1_000_000)
    with tempfile.TemporaryDirectory() as folder:
        for label, url in databases(folder, args.only):
            run(label, url, args.hashes, folder)


if __name__ == "__main__":
    main()
