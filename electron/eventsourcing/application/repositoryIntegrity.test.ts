import { describe, expect, test } from 'vitest'
import type { EverythingApplication } from '../../example/everythingApplication'
import type { ExampleAggregateRoot } from '../../example/exampleAggregateRoot'
import { SEED_CIPHER_KEY } from '../../example/seedSettings'
import { computeEventHash, reconstructEvent, type DomainEvent } from '../domain/events'
import { ConcurrencyError, DataIntegrityError } from '../errors'
import type { StoredRecord } from '../persistence/recorder'
import {
  aggregateWithHistory,
  openApp,
  rejection,
  storedPartition,
} from '../../../test/applicationTestKit'

describe('Repository: tampered stores and concurrent writers', () => {
  describe.each([
    ['plaintext', undefined],
    ['encrypted', SEED_CIPHER_KEY],
  ])('given %s events that were tampered with in the store (no snapshots)', (_name, cipherKey) => {
    const open = (): EverythingApplication => openApp({ snapshotPeriod: 0, cipherKey })

    /** Re-encodes stored event `version` with foo's value replaced, optionally re-hashing it. */
    async function forge(
      app: EverythingApplication,
      id: string,
      version: number,
      rehash: boolean,
    ): Promise<void> {
      const [original] = await app.eventStore.list(id, { gt: version - 1, lte: version })
      const fields = { ...(original as unknown as Record<string, unknown>), value: 'forged' }
      const forged = reconstructEvent(original!.constructor as new () => DomainEvent, fields)
      if (rehash) Object.assign(forged, { hash: computeEventHash(forged) })
      const partition = storedPartition(app.store, id)
      partition[version] = app.mapper.eventToRecord(forged)
    }

    test('when a stored event has a changed field, then loading raises DataIntegrityError naming that version', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 4)
      await forge(app, aggregate.id, 2, false)

      const error = await rejection(app.repository.get(aggregate.id))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorId: aggregate.id,
        originatorVersion: 2,
      })
      expect((error as Error).message).toContain('version 2')
      expect(
        (await app.repository.getEntity<ExampleAggregateRoot>(aggregate.id, { at: 1 }))?.foo,
      ).toBe('bar1')
    })

    test('when the forger also recomputes the hash, then the next event exposes the break', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 4)
      await forge(app, aggregate.id, 2, true)

      const error = await rejection(app.repository.get(aggregate.id))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details.originatorVersion).toBe(3)
      expect((error as Error).message).toContain('version 3')
    })

    test('when the states of two records are swapped, then loading raises DataIntegrityError naming the first', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 4)
      const partition = storedPartition(app.store, aggregate.id)
      const [two, three] = [partition[2]!, partition[3]!]
      partition[2] = { ...two, state: three.state }
      partition[3] = { ...three, state: two.state }

      const error = await rejection(app.repository.get(aggregate.id))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details.originatorVersion).toBe(2)
    })

    test('when an event in the middle is deleted, then loading raises DataIntegrityError naming the missing version', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 4)
      storedPartition(app.store, aggregate.id).splice(2, 1)

      const error = await rejection(app.repository.get(aggregate.id))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorVersion: 2,
        problem: 'missing',
      })
    })

    test('when hash verification is turned off, then the forged value is read (the hash chain is what catches it)', async () => {
      await using app = openApp({ snapshotPeriod: 0, cipherKey, verifyHashes: false })
      const aggregate = await aggregateWithHistory(app, 2)
      await forge(app, aggregate.id, 2, false)

      expect((await app.repository.get<ExampleAggregateRoot>(aggregate.id)).foo).toBe('forged')
    })
  })

  describe('given snapshots, and a store changed behind them (verification.ts)', () => {
    const open = (): EverythingApplication => openApp({ snapshotPeriod: 2 })

    test('when the event a snapshot stands on is re-forged with a fresh hash, then the snapshot no longer links to it', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 4) // snapshots at v1 and v3
      const [original] = await app.eventStore.list(aggregate.id, { gt: 2, lte: 3 })
      const forged = reconstructEvent(original!.constructor as new () => DomainEvent, {
        ...(original as unknown as Record<string, unknown>),
        value: 'forged',
      })
      Object.assign(forged, { hash: computeEventHash(forged) })
      storedPartition(app.store, aggregate.id)[3] = app.mapper.eventToRecord(forged)

      const error = await rejection(app.repository.replay(aggregate.id, { at: 3 }))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorVersion: 3,
        problem: 'unlinked',
      })
    })

    test('when a snapshot holds no hash of its last event, then it links to nothing: a replay from it fails and the history check reports it', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 2) // versions 0..2, a snapshot at v1
      const [real] = await app.snapshots(aggregate.id, { gte: 1, lte: 1 })
      const { _lastHash: dropped, ...state } = real!.state!
      expect(dropped).toBeTypeOf('string')
      // A forger's snapshot at v2, the newest version, with no hash to check it against.
      await app.snapshotStrategy!.put({
        ...real!,
        originatorVersion: 2,
        state: { ...state, _version: 2 },
      })

      const error = await rejection(app.repository.replay(aggregate.id, { at: 2 }))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorVersion: 2,
        problem: 'unlinked',
      })
      expect((error as Error).message).toContain('holds no hash of its last event')
      const history = await app.verifyHistory(aggregate.id)
      expect(history.problems.map((p) => [p.version, p.problem])).toEqual([[2, 'unlinked']])
      // Without snapshots the same version still replays, from the events alone.
      const replayed = await app.repository.replay(aggregate.id, { at: 2, useSnapshots: false })
      expect(replayed.aggregate?.version).toBe(2)
    })

    test('when the newest events are deleted with their snapshot, then the index still knows them and loading the latest fails at the first lost version', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 5) // snapshots at v1, v3, v5
      storedPartition(app.store, aggregate.id).splice(4, 2)
      const snapshots = (
        app.store.snapshots as unknown as { partitions: Map<string, StoredRecord[]> }
      ).partitions.get(aggregate.id)!
      snapshots.splice(snapshots.length - 1, 1)

      const error = await rejection(app.repository.get(aggregate.id))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorVersion: 4,
        problem: 'missing',
      })
      await expect(app.repository.latestVersion(aggregate.id)).rejects.toThrow(/versions 4–5/)
    })

    test('when a version behind the snapshot is missing, then the latest still loads from the snapshot, but asking for that version fails', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 5)
      storedPartition(app.store, aggregate.id).splice(2, 1) // v2

      const latest = await app.repository.replay(aggregate.id)
      expect(latest.snapshot?.originatorVersion).toBe(5)
      expect(latest.aggregate?.version).toBe(5)
      const error = await rejection(app.repository.replay(aggregate.id, { at: 2 }))
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorVersion: 2,
        problem: 'missing',
      })
    })

    test('when asked for a version beyond the latest, then the latest comes back (nothing is missing)', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 4)

      expect((await app.repository.replay(aggregate.id, { at: 100 })).aggregate?.version).toBe(4)
    })
  })

  describe('given two handles on the same aggregate (the concurrency race)', () => {
    test('when both save, then the first wins, the second raises ConcurrencyError, and a reloaded second can save', async () => {
      await using app = openApp()
      const original = await aggregateWithHistory(app, 1)
      const a = await app.repository.get<ExampleAggregateRoot>(original.id)
      let b = await app.repository.get<ExampleAggregateRoot>(original.id)

      a.foo = 'from a'
      await a.save()
      b.foo = 'from b'
      const error = await rejection(b.save())

      expect(error).toBeInstanceOf(ConcurrencyError)
      expect((error as ConcurrencyError).details.originatorId).toBe(original.id)
      expect((error as ConcurrencyError).details.attempted).toEqual([2])
      expect((await app.repository.get<ExampleAggregateRoot>(original.id)).foo).toBe('from a')

      b = await app.repository.get<ExampleAggregateRoot>(original.id)
      expect(b.foo).toBe('from a')
      b.foo = 'from b'
      await b.save()
      const final = await app.repository.get<ExampleAggregateRoot>(original.id)
      expect(final.foo).toBe('from b')
      expect(final.version).toBe(3)

      a.foo = 'from a again'
      await expect(a.save()).rejects.toBeInstanceOf(ConcurrencyError)
    })

    test('when a batch of several events loses the race, then none of its events are stored', async () => {
      await using app = openApp()
      const original = await aggregateWithHistory(app, 0)
      const a = await app.repository.get<ExampleAggregateRoot>(original.id)
      const b = await app.repository.get<ExampleAggregateRoot>(original.id)
      const logBefore = await app.store.events.selectLog({ limit: 100 })

      for (const v of [1, 2, 3]) a.foo = `a${v}`
      await a.save()
      for (const v of [1, 2, 3]) b.foo = `b${v}`
      await expect(b.save()).rejects.toBeInstanceOf(ConcurrencyError)

      const stored = await app.eventStore.list(original.id)
      expect(stored.map((e) => e.originatorVersion)).toEqual([0, 1, 2, 3])
      for (const v of [1, 2, 3]) {
        expect(
          (await app.repository.getEntity<ExampleAggregateRoot>(original.id, { at: v }))?.foo,
        ).toBe(`a${v}`)
      }
      const logAfter = await app.store.events.selectLog({ limit: 100 })
      expect(logAfter.slice(logBefore.length).map((e) => [e.fromVersion, e.toVersion])).toEqual([
        [1, 3],
      ])
      const snapshots = await app.snapshotStrategy!.list(original.id)
      expect(snapshots.map((s) => s.state?.['_foo'])).toEqual(['a1', 'a3'])
    })

    test('when only the last event of a batch conflicts, then the whole batch is refused and no snapshot is taken', async () => {
      await using app = openApp()
      const aggregate = await aggregateWithHistory(app, 0)
      // Someone else holds version 3 already (written straight to the store).
      await app.store.events.insert([
        app.mapper.toRecord(aggregate.id, 3, 'example#ExampleAggregateRoot.AttributeChanged', {
          name: '_foo',
          value: 'x',
        }),
      ])

      for (const v of [1, 2, 3]) aggregate.foo = `bar${v}`
      const error = await rejection(aggregate.save())

      expect(error).toBeInstanceOf(ConcurrencyError)
      expect((error as ConcurrencyError).details.attempted).toEqual([1, 2, 3])
      expect((await app.store.events.select(aggregate.id)).map((r) => r.originatorVersion)).toEqual(
        [0, 3],
      )
      expect(await app.store.snapshots.select(aggregate.id)).toEqual([])
    })
  })
})
