import { AggregateNotFound, ConcurrencyError } from '../eventsourcing'
import type { EverythingApplication } from './everythingApplication'
import type { ExampleAggregateRoot } from './exampleAggregateRoot'

/** One assertion of the walk-through: what was checked, whether it held, what was seen. */
export interface Check {
  readonly description: string
  readonly ok: boolean
  readonly actual?: unknown
}

/**
 * The seed's "Run the code" walk-through, every assertion of it, against one application.
 * Each assertion is reported to `report` instead of throwing, so a reader sees them all.
 */
export async function runWalkthrough(
  app: EverythingApplication,
  report: (check: Check) => void,
): Promise<void> {
  const check = (description: string, ok: boolean, actual?: unknown): void =>
    report(ok ? { description, ok } : { description, ok, actual })
  const repo = app.exampleRepository
  const snapshots = app.snapshotStrategy
  if (!snapshots) throw new Error('the walk-through needs snapshotting on')
  const raises = async (
    body: () => Promise<unknown>,
    cls: new (...a: never[]) => Error,
  ): Promise<unknown> => {
    try {
      await body()
      return 'nothing was raised'
    } catch (error) {
      return error instanceof cls ? true : error
    }
  }

  // ## Check encryption.
  const secret = app.createExampleAggregate('secret info')
  await secret.save()
  const [raw] = await app.eventRecords(secret.id, { gte: 0, lte: 0 })
  const rawText = raw ? Buffer.from(raw.state).toString('latin1') : ''
  check('the secret aggregate’s Created record is stored', raw !== undefined)
  check(
    'with encryption on, "secret info" is not visible in the stored record',
    raw !== undefined && !rawText.includes('secret info'),
    rawText.slice(0, 80),
  )
  const retrieved = await repo.get<ExampleAggregateRoot>(secret.id)
  check(
    'events are decrypted inside the application: foo is "secret info"',
    retrieved.foo === 'secret info',
    retrieved.foo,
  )

  // ## Check concurrency control.
  let aggregate = app.createExampleAggregate('bar1')
  aggregate.createNewExample()
  await aggregate.save()
  aggregate = await repo.get<ExampleAggregateRoot>(aggregate.id)
  check('a reloaded aggregate has foo "bar1"', aggregate.foo === 'bar1', aggregate.foo)
  check(
    'a reloaded aggregate has one example',
    aggregate.countExamples() === 1,
    aggregate.countExamples(),
  )

  const a = await repo.get<ExampleAggregateRoot>(aggregate.id)
  let b = await repo.get<ExampleAggregateRoot>(aggregate.id)
  a.foo = 'bar2'
  await a.save()
  const afterA = await repo.get<ExampleAggregateRoot>(aggregate.id)
  check('after saving handle a, foo is "bar2"', afterA.foo === 'bar2', afterA.foo)

  const staleB = await raises(async () => {
    b.foo = 'bar3'
    await b.save()
  }, ConcurrencyError)
  check('saving stale handle b raises ConcurrencyError', staleB === true, staleB)

  b = await repo.get<ExampleAggregateRoot>(aggregate.id)
  check('refreshed handle b has foo "bar2"', b.foo === 'bar2', b.foo)
  b.foo = 'bar3'
  await b.save()
  const afterB = await repo.get<ExampleAggregateRoot>(aggregate.id)
  check('after saving refreshed b, foo is "bar3"', afterB.foo === 'bar3', afterB.foo)

  const staleA = await raises(async () => {
    a.foo = 'bar4'
    await a.save()
  }, ConcurrencyError)
  check('saving now-stale handle a raises ConcurrencyError', staleA === true, staleA)

  // ## Check snapshotting.
  aggregate = app.createExampleAggregate('bar1')
  await aggregate.save()
  let snapshot = await snapshots.getSnapshot(aggregate.id)
  check('no snapshot after one event', snapshot === undefined, snapshot)

  aggregate.foo = 'bar2'
  await aggregate.save()
  snapshot = await snapshots.getSnapshot(aggregate.id)
  check(
    'after two events the snapshot has _foo "bar2"',
    snapshot?.state?.['_foo'] === 'bar2',
    snapshot?.state,
  )
  check('the aggregate exists in the repository', await repo.has(aggregate.id))
  const recovered = await repo.get<ExampleAggregateRoot>(aggregate.id)
  check('recovered from the snapshot, foo is "bar2"', recovered.foo === 'bar2', recovered.foo)

  aggregate.foo = 'bar3'
  aggregate.foo = 'bar4'
  aggregate.foo = 'bar5'
  await aggregate.save()
  snapshot = await snapshots.getSnapshot(aggregate.id)
  check(
    'after five events the snapshot has _foo "bar4"',
    snapshot?.state?.['_foo'] === 'bar4',
    snapshot?.state?.['_foo'],
  )

  aggregate.foo = 'bar6'
  aggregate.foo = 'bar7'
  await aggregate.save()
  const seventh = await repo.get<ExampleAggregateRoot>(aggregate.id)
  check('after seven events foo is "bar7"', seventh.foo === 'bar7', seventh.foo)
  snapshot = await snapshots.getSnapshot(aggregate.id)
  check(
    'after seven events the snapshot has _foo "bar6"',
    snapshot?.state?.['_foo'] === 'bar6',
    snapshot?.state?.['_foo'],
  )

  aggregate.__discard__()
  await aggregate.save()
  check('after discarding, the aggregate is not in the repository', !(await repo.has(aggregate.id)))
  snapshot = await snapshots.getSnapshot(aggregate.id)
  check(
    'the snapshot taken at the discard has state null',
    snapshot !== undefined && snapshot.state === null,
    snapshot?.state,
  )
  const gone = await raises(() => repo.get(aggregate.id), AggregateNotFound)
  check('getting the discarded aggregate raises AggregateNotFound', gone === true, gone)

  // Historical snapshots.
  snapshot = await snapshots.getSnapshot(aggregate.id, { lte: 2 })
  check(
    'the snapshot at or below version 2 is at version 1 (one behind)',
    snapshot?.state?.['_version'] === 1,
    snapshot?.state?.['_version'],
  )
  check(
    'the snapshot at or below version 2 has _foo "bar2"',
    snapshot?.state?.['_foo'] === 'bar2',
    snapshot?.state?.['_foo'],
  )
  snapshot = await snapshots.getSnapshot(aggregate.id, { lte: 3 })
  check(
    'the snapshot at or below version 3 is at version 3',
    snapshot?.state?.['_version'] === 3,
    snapshot?.state?.['_version'],
  )
  check(
    'the snapshot at or below version 3 has _foo "bar4"',
    snapshot?.state?.['_foo'] === 'bar4',
    snapshot?.state?.['_foo'],
  )

  // Historical entities.
  const expected = ['bar1', 'bar2', 'bar3', 'bar4']
  for (const [at, foo] of expected.entries()) {
    const past = await repo.getEntity<ExampleAggregateRoot>(aggregate.id, { at })
    check(`the entity at version ${at} has version ${at}`, past?.version === at, past?.version)
    check(`the entity at version ${at} has foo "${foo}"`, past?.foo === foo, past?.foo)
  }
}
