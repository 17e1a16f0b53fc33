/**
 * A SQLite file shared with another application: its writes arrive live, its newer versions
 * refuse stale commands, and damage it leaves (wrong snapshot, wrong key, tampering) is reported.
 */
import { afterEach, describe, expect, test } from 'vitest'
import { openRawSqlite } from '../../test/sqliteRun'
import { ConcurrencyDetails, type EventOf } from '../../shared/contract'
import { AesGcmCipher, aggregateState, createSqliteStore, Mapper } from '../eventsourcing'
import { EverythingApplication } from '../example/everythingApplication'
import type { ExampleAggregateRoot } from '../example/exampleAggregateRoot'
import { SEED_CIPHER_KEY } from '../example/seedSettings'
import {
  closeOpenServices,
  connected,
  createExample,
  newSqlitePath,
  run,
  setFoo,
  stateOf,
  until,
  walkthroughAggregate,
} from './serviceTesting'
import { sqliteDriverFromEnv } from './storeEnv'

const OTHER_KEY = new Uint8Array(Buffer.from('fedcba9876543210', 'utf8'))

afterEach(closeOpenServices)

describe('on a SQLite file shared with another application', () => {
  function otherApp(
    path: string,
    cipherKey: Uint8Array | undefined = SEED_CIPHER_KEY,
  ): EverythingApplication {
    return new EverythingApplication({
      store: createSqliteStore(path, sqliteDriverFromEnv()),
      cipherKey,
    })
  }

  test('writes made by the other application arrive as live changes', async () => {
    const path = newSqlitePath()
    const h = await connected('sqlite', {}, path)
    const other = otherApp(path)
    try {
      const aggregate = other.createExampleAggregate('from elsewhere')
      aggregate.foo = 'changed elsewhere'
      await aggregate.save()

      await until(() => h.emitted.some((e) => e.event === 'changes'))

      const entries = h.emitted
        .filter((e) => e.event === 'changes')
        .flatMap((e) => (e.payload as EventOf<'changes'>).entries)
      expect(entries).toEqual([
        expect.objectContaining({ originatorId: aggregate.id, fromVersion: 0, toVersion: 1 }),
      ])
      expect(stateOf((await h.ok('getAggregate', { id: aggregate.id })).state)['_foo']).toBe(
        'changed elsewhere',
      )
    } finally {
      await other.close()
    }
  })

  test('commands on a version the other application has since moved past: ConcurrencyError with its events', async () => {
    const path = newSqlitePath()
    const h = await connected('sqlite', {}, path)
    const id = await createExample(h, 'mine')
    const other = otherApp(path)
    try {
      const theirs = await other.repository.get<ExampleAggregateRoot>(id)
      theirs.foo = 'theirs'
      theirs.foo = 'theirs again'
      await theirs.save()
    } finally {
      await other.close()
    }

    const conflict = await h.fail('execute', {
      id,
      expectedVersion: 0,
      commands: [setFoo('pending')],
    })
    expect(conflict.code).toBe('ConcurrencyError')
    const details = ConcurrencyDetails.parse(conflict.details)
    expect(details).toMatchObject({ aggregateId: id, expectedVersion: 1, actualVersion: 2 })
    expect(details.winningEvents.map((e) => e.payload)).toEqual([
      { name: '_foo', value: 'theirs' },
      { name: '_foo', value: 'theirs again' },
    ])
    expect((await run(h, id, setFoo('mine again'))).version).toBe(3)
  })

  test('a snapshot that disagrees with the events is flagged by compareSnapshot', async () => {
    const path = newSqlitePath()
    const h = await connected('sqlite', {}, path)
    const id = await walkthroughAggregate(h)
    const other = otherApp(path)
    try {
      const { aggregate } = await other.repository.replay(id, { at: 2 })
      await other.snapshotStrategy!.put({
        originatorId: id,
        originatorVersion: 2,
        timestamp: new Date(),
        topic: 'example#ExampleAggregateRoot',
        state: { ...aggregateState(aggregate!), _foo: 'WRONG' },
      })
    } finally {
      await other.close()
    }

    const comparison = await h.ok('compareSnapshot', { id, version: 2 })

    expect(comparison.matches).toBe(false)
    expect(comparison.differences).toEqual([
      { path: ['_foo'], kind: 'changed', before: 'WRONG', after: 'bar3' },
    ])
    // The Snapshots panel's pages of a snapshot's state are the stored snapshot's.
    const page = { id, at: 2, path: [], offset: 0, limit: 100 }
    const foo = (p: { children: Array<{ key: string | number; value: unknown }> }) =>
      p.children.find((c) => c.key === '_foo')?.value
    expect(foo(await h.ok('getStateChildren', { ...page, snapshot: true }))).toBe('WRONG')
  })

  test('a wrong cipher key gives DataIntegrityError, never garbage, and the key is not in the message', async () => {
    const path = newSqlitePath()
    const writer = await connected('sqlite', {}, path)
    const id = await walkthroughAggregate(writer)
    await writer.service.close()

    for (const cipherKey of [OTHER_KEY, undefined]) {
      const reader = await connected('sqlite', { cipherKey }, path)
      expect((await reader.ok('listAggregates', {})).total).toBe(1) // the index is not encrypted
      for (const [method, request] of [
        ['getAggregate', { id, at: 2 }],
        ['listEvents', { id }],
        ['getEventDiff', { id, version: 1 }],
        ['listSnapshots', { id }],
        ['exportHistory', { id }],
      ] as const) {
        const error = await reader.fail(method, request)
        expect(error.code, method).toBe('DataIntegrityError')
        expect(error.message, method).toMatch(/cipher key is wrong|no cipher key is configured/)
        expect(error.message).not.toContain(Buffer.from(OTHER_KEY).toString('base64'))
        expect(error.message).not.toContain(Buffer.from(SEED_CIPHER_KEY).toString('base64'))
      }
      await reader.service.close()
    }
  })

  test('a tampered event shows the hash chain broken at its version, with the state still shown', async () => {
    const path = newSqlitePath()
    const h = await connected('sqlite', {}, path)
    const id = await createExample(h, 'v0', ...['v1', 'v2', 'v3', 'v4'].map(setFoo))
    expect((await h.ok('getAggregate', { id })).hashChain.status).toBe('verified')

    // Rewrite version 4 with a different value but its old hash, properly encrypted: only the
    // chain can tell.
    const mapper = new Mapper({ cipher: new AesGcmCipher(SEED_CIPHER_KEY) })
    const db = openRawSqlite(path)
    try {
      const row = db.get(
        'SELECT topic, state FROM events WHERE originator_id = ? AND originator_version = 4',
        id,
      ) as { topic: string; state: Buffer }
      const fields = mapper.decodeState({
        originatorId: id,
        originatorVersion: 4,
        ...row,
      }) as Record<string, unknown>
      const forged = mapper.toRecord(id, 4, row.topic, { ...fields, value: 'forged' })
      db.run(
        'UPDATE events SET state = ? WHERE originator_id = ? AND originator_version = 4',
        forged.state,
        id,
      )
    } finally {
      db.close()
    }

    const view = await h.ok('getAggregate', { id })

    expect(view.hashChain).toMatchObject({ status: 'broken', brokenAtVersion: 4 })
    expect(view.hashChain.message).toContain('version 4')
    expect(stateOf(view.state)['_foo']).toBe('forged')
    expect(view.loadedFromSnapshot).toBe(3)
    expect((await h.ok('getAggregate', { id, at: 3 })).hashChain.status).toBe('verified')
    // A diff is a read of events: it refuses the tampered one rather than show it as a change.
    expect(await h.fail('getEventDiff', { id, version: 4 })).toMatchObject({
      code: 'DataIntegrityError',
      details: { originatorVersion: 4, problem: 'tampered' },
    })
  })
})
