"""Replay of one 10,000-event aggregate with Python `eventsourcing` (9.x) on SQLite.

Builds one aggregate (one Created + N-1 attribute changes) in a fresh SQLite file with the
library's own SQLite persistence, then times ``app.repository.get(id)`` (no snapshots, no
aggregate cache: every get reads and replays all the events).

Standalone:
    .cache/py-venv/bin/python bench/python/replay.py [--cipher] [--events 10000] [--runs 9]
Driven by bench/compare-replay.ts:
    ... --serve   prints one JSON line {"ready": ...}, then answers each stdin line "get" with
                  {"ms": ...} (so the caller can interleave runs with its own), "quit" ends.

Event content mirrors Eventscope's stored AttributeChanged state: name, value, timestamp and
two 64-hex-character fields (previous_hash, hash; carried, not verified: the library has no
hash chain) so that the stored payloads are of similar size. --natural leaves them out.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

CIPHER_KEY = "MDEyMzQ1Njc4OWFiY2RlZg=="  # base64 of b"0123456789abcdef" (the seed's AES-128 key)


class ExampleAggregateRoot(Aggregate):
    @event("Created")
    def __init__(self, foo: str, previous_hash: str = "", hash: str = "") -> None:  # noqa: A002
        self._foo = foo

    @event("AttributeChanged")
    def change_attribute(self, name: str, value: str, previous_hash: str = "", hash: str = "") -> None:  # noqa: A002
        setattr(self, name, value)

    @property
    def foo(self) -> str:
        return self._foo


class NaturalExampleAggregateRoot(Aggregate):
    """The same aggregate without the hash-sized fields."""

    @event("Created")
    def __init__(self, foo: str) -> None:
        self._foo = foo

    @event("AttributeChanged")
    def change_attribute(self, name: str, value: str) -> None:
        setattr(self, name, value)


def hex_of(i: int) -> str:
    return hashlib.sha256(str(i).encode()).hexdigest()


def build(app: Application, count: int, natural: bool) -> UUID:
    if natural:
        aggregate = NaturalExampleAggregateRoot(foo="start")
        for i in range(1, count):
            aggregate.change_attribute(name="_foo", value=f"value {i}")
            if i % 1000 == 0:
                app.save(aggregate)
    else:
        aggregate = ExampleAggregateRoot(foo="start", previous_hash="", hash=hex_of(0))
        for i in range(1, count):
            aggregate.change_attribute(name="_foo", value=f"value {i}", previous_hash=hex_of(i - 1), hash=hex_of(i))
            if i % 1000 == 0:
                app.save(aggregate)
    app.save(aggregate)
    return aggregate.id


def state_bytes(path: str) -> float:
    import sqlite3

    con = sqlite3.connect(path)
    try:
        (avg,) = con.execute("SELECT avg(length(state)) FROM stored_events").fetchone()
    finally:
        con.close()
    return float(avg)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="SQLite file (default: a fresh temporary one)")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--cipher", action="store_true", help="AES (GCM) cipher on (CIPHER_TOPIC/CIPHER_KEY)")
    parser.add_argument("--natural", action="store_true", help="events without the hash-sized fields")
    parser.add_argument("--serve", action="store_true", help="answer 'get' lines on stdin (see above)")
    args = parser.parse_args()

    path = args.db or os.path.join(tempfile.mkdtemp(prefix="eventscope-py-"), "events.sqlite")
    if os.path.exists(path):
        os.remove(path)
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path}
    if args.cipher:
        env["CIPHER_TOPIC"] = "eventsourcing.cipher:AESCipher"
        env["CIPHER_KEY"] = CIPHER_KEY
    app = Application(env=env)
    t0 = time.perf_counter()
    aggregate_id = build(app, args.events, args.natural)
    build_ms = (time.perf_counter() - t0) * 1000

    def get_ms() -> float:
        t = time.perf_counter()
        aggregate = app.repository.get(aggregate_id)
        ms = (time.perf_counter() - t) * 1000
        if aggregate.version != args.events:  # Python versions start at 1
            raise SystemExit(f"replay incomplete: version {aggregate.version}")
        return ms

    from importlib.metadata import version

    info = {
        "ready": True,
        "library": f"eventsourcing {version('eventsourcing')}",
        "python": sys.version.split()[0],
        "events": args.events,
        "buildMs": round(build_ms, 1),
        "avgStateBytes": round(state_bytes(path), 1),
        "cipher": args.cipher,
        "db": path,
    }
    if args.serve:
        print(json.dumps(info), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "get":
                print(json.dumps({"ms": get_ms()}), flush=True)
            elif command == "quit":
                break
        app.close()
        return
    for _ in range(args.warmup):
        get_ms()
    times = sorted(get_ms() for _ in range(args.runs))
    info.update(
        {
            "medianMs": round(statistics.median(times), 2),
            "minMs": round(times[0], 2),
            "eventsPerSecond": round(args.events / (statistics.median(times) / 1000)),
        }
    )
    print(json.dumps(info))
    app.close()


if __name__ == "__main__":
    main()
