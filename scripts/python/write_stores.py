"""Writes stores with Python's real `eventsourcing` library (9.5.6), for Eventscope's tests.

    python write_stores.py write  --sqlite-dir DIR [--postgres-url URL] --key KEY
    python write_stores.py append --sqlite-dir DIR [--postgres-url URL] --key KEY --app NAME
                                  --backend sqlite|postgres [--id UUID] [--count N]

`write` creates, on SQLite (one file per application, as the library is usually set up) and
on PostgreSQL when a URL is given:
  - Shop: Cart and Product aggregates, encrypted with compression, snapshots every 3 versions,
    values of the library's tagged types (UUID, datetime, Decimal) and one tag of its own
    (`money`) that a reader does not know;
  - Library: Book aggregates, encrypted without compression, snapshots taken by hand;
  - Plain: Book and Cart aggregates, neither encrypted nor compressed, no snapshots;
  - Ledger: Product aggregates written through the library's aggregate recorder (events with no
    notification id), encrypted with compression, as an application that never lists its log.
  - Counters: Counter aggregates whose INITIAL_VERSION is 0 (the first event is version 0),
    plain, snapshots every 2 versions (one at version 0);
  - Tickets: Ticket aggregates with text ids (ORIGINATOR_ID_TYPE=text; a `text` column on
    PostgreSQL), some hostile (long, a control character, a right-to-left override, HTML),
    plain, snapshots every 2 versions.
`append` adds events to one aggregate later (the live tail test) and reports them; without
--id, it creates a Book first (Library only) and adds to that.

It prints one JSON report (stdout) of everything it wrote: per application its table names,
settings and, per aggregate, every event (version, topic, payload) and snapshot. Payloads are
built from the objects the library was given, not from the stored bytes: UUIDs, datetimes
and Decimals as text (str / isoformat), the `money` value as the library's tag object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import unquote, urlparse
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.domain import (
    Aggregate,
    BaseAggregate,
    CanInitAggregate,
    CanMutateAggregate,
    CanSnapshotAggregate,
    DomainEvent,
    event,
)
from eventsourcing.persistence import (
    EventStore,
    InfrastructureFactory,
    JSONTranscoder,
    Transcoding,
)


class Money:
    def __init__(self, cents: int, currency: str):
        self.cents = cents
        self.currency = currency


class MoneyAsDict(Transcoding):
    """A transcoding only the Python application has: a reader shows its tag as stored."""

    type = Money
    name = "money"

    def encode(self, obj: Money) -> dict[str, Any]:
        return {"cents": obj.cents, "currency": obj.currency}

    def decode(self, data: dict[str, Any]) -> Money:
        return Money(data["cents"], data["currency"])


class Cart(Aggregate):
    @event("Created")
    def __init__(self, owner: str):
        self.owner = owner
        self.items: list[dict[str, Any]] = []

    @event("ItemAdded")
    def add_item(self, product_id: UUID, quantity: int, price: Decimal, at: datetime):
        self.items.append(
            {"product_id": product_id, "quantity": quantity, "price": price, "at": at}
        )

    @event("CheckedOut")
    def check_out(self, total: Money):
        self.total = total


class Product(Aggregate):
    @event("Registered")
    def __init__(self, name: str, price: Decimal):
        self.name = name
        self.price = price

    @event("Repriced")
    def reprice(self, price: Decimal):
        self.price = price


class Book(Aggregate):
    @event("Written")
    def __init__(self, title: str, author: str):
        self.title = title
        self.author = author
        self.tags: list[str] = []

    @event("Tagged")
    def tag(self, tag: str):
        self.tags.append(tag)


class Counter(Aggregate):
    """The library lets a class start its versions at 0 (repository.get(id, version=0))."""

    INITIAL_VERSION = 0

    @event("Started")
    def __init__(self, name: str):
        self.name = name
        self.count = 0

    @event("Incremented")
    def increment(self, by: int):
        self.count += by


class TextIdAggregate(BaseAggregate[str]):
    """An aggregate whose id is a str, as Aggregate is for UUIDs (domain.py's own pattern)."""

    class Event(CanMutateAggregate[str], DomainEvent):
        originator_id: str  # type: ignore[assignment]

        def __post_init__(self) -> None:
            pass  # DomainEvent insists on a UUID

    class Created(Event, CanInitAggregate[str]):
        originator_topic: str

    class Snapshot(CanSnapshotAggregate[str], DomainEvent):
        originator_id: str  # type: ignore[assignment]
        topic: str
        state: dict[str, Any]

        def __post_init__(self) -> None:
            pass


class Ticket(TextIdAggregate):
    @staticmethod
    def create_id(code: str) -> str:
        return code

    @event("Opened")
    def __init__(self, code: str, title: str):
        self.title = title

    @event("Retitled")
    def retitle(self, title: str):
        self.title = title


# Ids a reader must show as they are without being fooled by them.
TICKET_CODES = [
    "TCK-1",
    "ticket/" + "long-" * 80,
    "tab\there",
    "invoice\u202etxt.exe",
    "<img src=x onerror=alert(1)>",
    # Text that reads as a UUID: on SQLite it is stored as given, not as a UUID's 32 hex digits.
    "0badc0de-0000-4000-8000-00000000000a",
]


def with_money(app_cls: type[Application]) -> type[Application]:
    def register_transcodings(self: Application, transcoder: JSONTranscoder) -> None:
        super(app_cls, self).register_transcodings(transcoder)
        transcoder.register(MoneyAsDict())

    app_cls.register_transcodings = register_transcodings  # type: ignore[method-assign]
    return app_cls


@with_money
class Shop(Application):
    snapshotting_intervals = {Cart: 3, Product: 3}


class Library(Application):
    is_snapshotting_enabled = True


class Plain(Application):
    pass


class Counters(Application):
    snapshotting_intervals = {Counter: 2}


class Tickets(Application[str]):
    snapshotting_intervals = {Ticket: 2}
    snapshot_class = TextIdAggregate.Snapshot


# --- what the report says a value is ------------------------------------------------------


def plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Money):
        return {"_type_": "money", "_data_": {"cents": value.cents, "currency": value.currency}}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def topic_of(obj: Any) -> str:
    cls = type(obj)
    return f"{cls.__module__}:{cls.__qualname__}"


def event_report(domain_event: Any) -> dict[str, Any]:
    state = dict(vars(domain_event))
    state.pop("originator_id")
    version = state.pop("originator_version")
    return {"version": version, "topic": topic_of(domain_event), "payload": plain(state)}


# --- environments -------------------------------------------------------------------------


def sqlite_env(directory: str, name: str) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": os.path.join(directory, f"{name.lower()}.sqlite"),
    }


def postgres_env(url: str, schema: str = "") -> dict[str, str]:
    parts = urlparse(url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or ""),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
    }
    if schema:
        env["POSTGRES_SCHEMA"] = schema
    return env


def cipher_env(key: str, compress: bool) -> dict[str, str]:
    env = {"CIPHER_TOPIC": "eventsourcing.cipher:AESCipher", "CIPHER_KEY": key}
    if compress:
        env["COMPRESSOR_TOPIC"] = "eventsourcing.compressor:ZlibCompressor"
    return env


# --- writing --------------------------------------------------------------------------------


class Recorded:
    """Every event and snapshot written, per aggregate."""

    def __init__(self) -> None:
        self.aggregates: dict[str, dict[str, Any]] = {}
        self.ids: dict[str, UUID | str] = {}

    def add(self, aggregate: Aggregate, events: list[Any]) -> None:
        entry = self.aggregates.setdefault(
            str(aggregate.id),
            {"id": str(aggregate.id), "type": topic_of(aggregate), "events": [], "snapshots": []},
        )
        self.ids[str(aggregate.id)] = aggregate.id
        entry["events"] += [event_report(e) for e in events]
        entry["version"] = aggregate.version

    def snapshots_from(self, app: Application) -> None:
        assert app.snapshots is not None
        for entry in self.aggregates.values():
            for snapshot in app.snapshots.get(self.ids[entry["id"]]):
                entry["snapshots"].append(
                    {
                        "version": snapshot.originator_version,
                        "topic": topic_of(snapshot),
                        "payload": plain(
                            {k: v for k, v in vars(snapshot).items() if not k.startswith("originator_")}
                        ),
                    }
                )


def save(app: Application, recorded: Recorded, *aggregates: Aggregate) -> None:
    pending = {a.id: list(a.pending_events) for a in aggregates}
    app.save(*aggregates)
    for a in aggregates:
        recorded.add(a, pending[a.id])


def write_shop(env: dict[str, str]) -> dict[str, Any]:
    app = Shop(env=env)
    recorded = Recorded()
    products = [Product(f"product {i}", Decimal(f"{i}.99")) for i in range(3)]
    save(app, recorded, *products)
    for p in products[:2]:
        for step in range(4):
            p.reprice(Decimal(f"{step + 10}.{step}5"))
            save(app, recorded, p)
    carts = []
    for owner in ("ada", "grace"):
        cart = Cart(owner)
        save(app, recorded, cart)
        for i in range(5):
            cart.add_item(
                products[i % 3].id,
                i + 1,
                Decimal("0.10") * (i + 1),
                datetime(2026, 1, 2, 3, 4, 5, 678901 + i, tzinfo=timezone.utc),
            )
            save(app, recorded, cart)
        cart.check_out(Money(12345, "EUR"))
        save(app, recorded, cart)
        carts.append(cart)
    recorded.snapshots_from(app)
    return {"recorder": "application", "aggregates": list(recorded.aggregates.values())}


def write_library(env: dict[str, str]) -> dict[str, Any]:
    app = Library(env=env)
    recorded = Recorded()
    books = [Book(f"Book {i}", "Ursula" if i % 2 else "Iain") for i in range(3)]
    save(app, recorded, *books)
    for i, book in enumerate(books):
        for n in range(i + 2):
            book.tag(f"tag-{n}-é✓")
            save(app, recorded, book)
        app.take_snapshot(book.id)
    recorded.snapshots_from(app)
    return {"recorder": "application", "aggregates": list(recorded.aggregates.values())}


def write_plain(env: dict[str, str]) -> dict[str, Any]:
    app = Plain(env=env)
    recorded = Recorded()
    book = Book("Plain book", "Anon")
    cart = Cart("plain")
    save(app, recorded, book, cart)
    book.tag("x")
    cart.add_item(uuid4(), 1, Decimal("1.5"), datetime(2026, 3, 4, 5, 6, 7))
    save(app, recorded, book, cart)
    return {"recorder": "application", "aggregates": list(recorded.aggregates.values())}


def write_counters(env: dict[str, str]) -> dict[str, Any]:
    app = Counters(env=env)
    recorded = Recorded()
    counters = [Counter(f"counter {i}") for i in range(2)]
    save(app, recorded, *counters)
    for i, counter in enumerate(counters):
        for n in range(3 + i):
            counter.increment(n + 1)
            save(app, recorded, counter)
    assert app.repository.get(counters[0].id, version=0).count == 0
    recorded.snapshots_from(app)
    return {"recorder": "application", "aggregates": list(recorded.aggregates.values())}


def write_tickets(env: dict[str, str]) -> dict[str, Any]:
    app = Tickets(env={**env, "ORIGINATOR_ID_TYPE": "text"})
    recorded = Recorded()
    for code in TICKET_CODES:
        ticket = Ticket(code, f"about {code}")
        save(app, recorded, ticket)
        for n in range(2):
            ticket.retitle(f"take {n}")
            save(app, recorded, ticket)
        assert app.repository.get(code).title == "take 1"
    recorded.snapshots_from(app)
    return {"recorder": "application", "aggregates": list(recorded.aggregates.values())}


def write_ledger(env: dict[str, str]) -> dict[str, Any]:
    """Events through the library's aggregate recorder: a table without notification ids."""
    factory = InfrastructureFactory.construct(_environment("Ledger", env))
    transcoder = JSONTranscoder()
    Application.register_transcodings(None, transcoder)  # type: ignore[arg-type]
    store = EventStore(mapper=factory.mapper(transcoder=transcoder), recorder=factory.aggregate_recorder("events"))
    recorded = Recorded()
    for i in range(2):
        product = Product(f"ledger {i}", Decimal("2.50"))
        product.reprice(Decimal("3.75"))
        events = list(product.collect_events())
        store.put(events)
        recorded.add(product, events)
    return {"recorder": "aggregate", "aggregates": list(recorded.aggregates.values())}


def _environment(name: str, env: dict[str, str]) -> Any:
    from eventsourcing.utils import Environment

    return Environment(name, env)


APPS = {
    "Shop": (Shop, write_shop),
    "Library": (Library, write_library),
    "Plain": (Plain, write_plain),
    "Counters": (Counters, write_counters),
    "Tickets": (Tickets, write_tickets),
}


def settings_for(name: str, key: str) -> tuple[dict[str, str], bool, bool]:
    """(cipher env, encrypted, compressed) of each application."""
    if name in ("Shop", "Ledger"):
        return cipher_env(key, True), True, True
    if name == "Library":
        return cipher_env(key, False), True, False
    return {}, False, False


def backends(args: argparse.Namespace) -> list[tuple[str, Any]]:
    result: list[tuple[str, Any]] = [("sqlite", lambda name: sqlite_env(args.sqlite_dir, name))]
    if args.postgres_url:
        # Library lives in a schema of its own: the reader is told the schema.
        result.append(
            ("postgres", lambda name: postgres_env(args.postgres_url, "pyapps" if name == "Library" else ""))
        )
    return result


def tables(backend: str, name: str, recorder: str) -> dict[str, Any]:
    if backend == "sqlite":
        return {"events": "stored_events", "snapshots": "stored_snapshots"}
    prefix = name.lower()
    return {
        "events": f"{prefix}_events",
        "snapshots": f"{prefix}_snapshots",
        "schema": "pyapps" if name == "Library" else "public",
    }


def create_schema(url: str, schema: str) -> None:
    """The library creates tables, not schemas: a schema is the database owner's to make."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')


def write(args: argparse.Namespace) -> dict[str, Any]:
    if args.postgres_url:
        create_schema(args.postgres_url, "pyapps")
    report: dict[str, Any] = {"key": args.key, "applications": []}
    writers = {**{n: w for n, (_, w) in APPS.items()}, "Ledger": write_ledger}
    for backend, env_of in backends(args):
        for name, writer in writers.items():
            cipher, encrypted, compressed = settings_for(name, args.key)
            env = {**env_of(name), **cipher}
            written = writer(env)
            entry = {
                "name": name,
                "backend": backend,
                "encrypted": encrypted,
                "compressed": compressed,
                **written,
                "tables": tables(backend, name, written["recorder"]),
            }
            if backend == "sqlite":
                entry["path"] = env["SQLITE_DBNAME"]
            report["applications"].append(entry)
    return report


def append(args: argparse.Namespace) -> dict[str, Any]:
    app_cls = APPS[args.app][0]
    env_of = dict(backends(args))[args.backend]
    cipher, _, _ = settings_for(args.app, args.key)
    app = app_cls(env={**env_of(args.app), **cipher})
    recorded = Recorded()
    if not args.id:
        # No id: one new aggregate (the count test), created and then changed count - 1 times.
        aggregate: Any = Book("Written live", "Eventscope")
        save(app, recorded, aggregate)
        args.count -= 1
    else:
        aggregate = app.repository.get(UUID(args.id))
    for n in range(args.count):
        if isinstance(aggregate, Book):
            aggregate.tag(f"live-{n}")
        elif isinstance(aggregate, Product):
            aggregate.reprice(Decimal(f"99.{n:02d}"))
        else:
            aggregate.add_item(uuid4(), n + 1, Decimal("7.5"), datetime.now(timezone.utc))
        save(app, recorded, aggregate)
    return {"aggregates": list(recorded.aggregates.values())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["write", "append"])
    parser.add_argument("--sqlite-dir", required=True)
    parser.add_argument("--postgres-url", default="")
    parser.add_argument("--key", required=True)
    parser.add_argument("--app", default="Shop")
    parser.add_argument("--backend", default="sqlite")
    parser.add_argument("--id", default="")
    parser.add_argument("--count", type=int, default=1)
    args = parser.parse_args()
    os.makedirs(args.sqlite_dir, exist_ok=True)
    report = write(args) if args.mode == "write" else append(args)
    json.dump(report, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
