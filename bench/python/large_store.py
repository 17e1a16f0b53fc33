"""Large stores written by Python `eventsourcing` (9.x), for bench/rows/pythonStores.ts.

    .cache/py-venv/bin/python bench/python/large_store.py --db FILE --shape many --count N
    .cache/py-venv/bin/python bench/python/large_store.py --db FILE --shape long --count N
    .cache/py-venv/bin/python bench/python/large_store.py --postgres-url URL --app NAME ...

`many`: N aggregates of one event each; `long`: one aggregate of N events (and one of 10 beside
it, as the Eventscope side seeds). Written by the library itself (its application recorder,
plain JSON, no cipher) in large transactions: `app.save(...)` of thousands of aggregates or
pending events at a time, so 100,000 events take seconds. Prints one JSON line: what it wrote.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from urllib.parse import unquote, urlparse

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

BATCH = 5000


class ExampleAggregateRoot(Aggregate):
    """The shape of Eventscope's example aggregate: a name, then attribute changes."""

    @event("Created")
    def __init__(self, foo: str) -> None:
        self.foo = foo

    @event("AttributeChanged")
    def change_attribute(self, name: str, value: str) -> None:
        setattr(self, name, value)


def environment(args: argparse.Namespace) -> dict[str, str]:
    if args.postgres_url:
        parts = urlparse(args.postgres_url)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.lstrip("/"),
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or ""),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
        }
    if os.path.exists(args.db):
        os.remove(args.db)
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": args.db}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--postgres-url")
    parser.add_argument("--app", default="Application")
    parser.add_argument("--shape", choices=["many", "long"], required=True)
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args()
    if not args.db and not args.postgres_url:
        parser.error("--db or --postgres-url")
    # The application's name names its PostgreSQL tables (`<name>_events`).
    app_cls = type(args.app, (Application,), {})
    app = app_cls(env=environment(args))
    t0 = time.perf_counter()
    ids: list[str] = []
    if args.shape == "many":
        for done in range(0, args.count, BATCH):
            batch = [
                ExampleAggregateRoot(foo=f"item {done + i}")
                for i in range(min(BATCH, args.count - done))
            ]
            app.save(*batch)
        ids.append(str(batch[-1].id))
    else:
        for count in (args.count, 10):
            aggregate = ExampleAggregateRoot(foo="start")
            for v in range(1, count):
                aggregate.change_attribute("foo", f"value {v}")
                if v % BATCH == 0:
                    app.save(aggregate)
            app.save(aggregate)
            ids.append(str(aggregate.id))
    app.close()
    seconds = time.perf_counter() - t0
    json.dump({"ids": ids, "seconds": round(seconds, 3)}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
