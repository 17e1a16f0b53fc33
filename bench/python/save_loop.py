"""One-event saves in a loop with Python `eventsourcing` (9.x) on SQLite at synchronous=FULL.

Each iteration creates a new aggregate (one Created event) and saves it: one transaction, one
commit, which in WAL mode with synchronous=FULL syncs the WAL before the save returns.

The library opens its connections with journal_mode=WAL and sets no synchronous level (SQLite's
compiled default applies, FULL in CPython's bundled SQLite, but a build may differ), so every
connection the pool makes gets `PRAGMA synchronous=FULL` here, and the level is read back and
reported so that a run at another level cannot pass for one at FULL.

Standalone:
    .cache/bench-venv/bin/python bench/python/save_loop.py [--saves 2000] [--synchronous FULL]
Prints one JSON line: {"saves", "ms", "per_second", "synchronous", "journal_mode"}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing import sqlite as es_sqlite

LEVELS = {"OFF": 0, "NORMAL": 1, "FULL": 2, "EXTRA": 3}


class Item(Aggregate):
    @event("Created")
    def __init__(self, name: str) -> None:
        self.name = name


def force_synchronous(level: str) -> None:
    """Every new pooled connection runs `PRAGMA synchronous=<level>` (a per-connection setting)."""
    original = es_sqlite.SQLiteConnectionPool._create_connection

    def create(self):  # type: ignore[no-untyped-def]
        conn = original(self)
        conn._sqlite_conn.execute(f"PRAGMA synchronous={level}")
        return conn

    es_sqlite.SQLiteConnectionPool._create_connection = create  # type: ignore[method-assign]


def read_pragmas(app: Application) -> tuple[int, str]:
    datastore = app.recorder.datastore  # type: ignore[attr-defined]
    with datastore.transaction(commit=True) as c:
        c.execute("PRAGMA synchronous")
        sync = c.fetchone()[0]
        c.execute("PRAGMA journal_mode")
        mode = c.fetchone()[0]
    return int(sync), str(mode)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=2000)
    parser.add_argument("--synchronous", default="FULL", choices=list(LEVELS))
    parser.add_argument("--dir", default=None, help="folder for the database file (default: a temp folder)")
    args = parser.parse_args()

    force_synchronous(args.synchronous)
    folder = tempfile.mkdtemp(prefix="es-save-", dir=args.dir)
    path = os.path.join(folder, "events.sqlite")
    os.environ["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
    os.environ["SQLITE_DBNAME"] = path
    app = Application()
    sync, mode = read_pragmas(app)
    if sync != LEVELS[args.synchronous]:
        print(f"synchronous is {sync}, not {args.synchronous}", file=sys.stderr)
        return 1

    # A few saves first, so that the table's first pages exist and the statements are cached.
    for i in range(20):
        app.save(Item(name=f"warm {i}"))
    started = time.perf_counter()
    for i in range(args.saves):
        app.save(Item(name=f"item {i}"))
    ms = (time.perf_counter() - started) * 1000
    app.close()
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass
    os.rmdir(folder)
    print(json.dumps({
        "saves": args.saves,
        "ms": round(ms, 1),
        "per_second": round(args.saves / (ms / 1000)),
        "synchronous": sync,
        "journal_mode": mode,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
