"""One-event saves with Python `eventsourcing` (9.x) on SQLite, for bench/rows/sqliteSave.ts.

    .cache/py-venv/bin/python bench/python/save_loop.py --serve --db FILE
prints {"ready": ..., "synchronous": 2}, then answers each stdin line "save N" with {"ms": ...}:
N saves in a row, each of one AttributeChanged event to the same aggregate (what the Eventscope
side does). "quit" ends. The library's SQLite module opens the file in WAL mode and leaves
`synchronous` at SQLite's default, FULL (2), which the ready line reports.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class ExampleAggregateRoot(Aggregate):
    @event("Created")
    def __init__(self, foo: str) -> None:
        self._foo = foo

    @event("AttributeChanged")
    def change_attribute(self, name: str, value: str) -> None:
        setattr(self, name, value)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--serve", action="store_true")
    args = parser.parse_args()
    if os.path.exists(args.db):
        os.remove(args.db)
    app = Application(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": args.db})
    aggregate = ExampleAggregateRoot(foo="start")
    app.save(aggregate)
    con = sqlite3.connect(args.db)
    (synchronous,) = con.execute("PRAGMA synchronous").fetchone()
    (journal,) = con.execute("PRAGMA journal_mode").fetchone()
    con.close()
    from importlib.metadata import version

    print(
        json.dumps(
            {
                "ready": True,
                "library": f"eventsourcing {version('eventsourcing')}",
                "python": sys.version.split()[0],
                "synchronous": synchronous,
                "journal": journal,
            }
        ),
        flush=True,
    )
    n = 0
    for line in sys.stdin:
        words = line.split()
        if words and words[0] == "save":
            t = time.perf_counter()
            for _ in range(int(words[1])):
                n += 1
                aggregate.change_attribute(name="_foo", value=f"value {n}")
                app.save(aggregate)
            print(json.dumps({"ms": (time.perf_counter() - t) * 1000}), flush=True)
        elif words and words[0] == "quit":
            break
    app.close()


if __name__ == "__main__":
    main()
