import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { sqliteDriverFromEnv } from '../../explorer/storeEnv'
import { DataIntegrityError } from '../errors'
import { Mapper } from '../persistence/mapper'
import { BROTLI } from '../persistence/recordFlags'
import { MemoryAggregateRecorder } from '../persistence/recorders/memory'
import { createSqliteStore } from '../persistence/recorders/sqlite'
import { SNAPSHOT_TOPIC, type Snapshot, SnapshotStrategy } from './snapshotStrategy'

const ID = '5a1d6c0e-3f2b-4e7a-9c8d-1b2a3c4d5e6f'
const folder = mkdtempSync(join(tmpdir(), 'eventscope-snapshots-'))
let n = 0

function snapshot(version: number, state: Record<string, unknown> | null): Snapshot {
  return {
    originatorId: ID,
    originatorVersion: version,
    timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, version)),
    topic: 'test#Thing',
    state,
  }
}

const memory = () => new SnapshotStrategy(new MemoryAggregateRecorder(), new Mapper())

describe('SnapshotStrategy', () => {
  test('stores a snapshot under its own topic, which is stored forever', () => {
    expect(memory().encode(snapshot(1, {})).topic).toBe('eventsourcing#Snapshot')
  })

  test('stores the lists of a state by column, and reads them back as they were', async () => {
    const snapshots = new SnapshotStrategy(
      new MemoryAggregateRecorder(),
      new Mapper({ compress: false }),
    )
    const rows = Array.from({ length: 20 }, (_, i) => ({ at: new Date(i), n: i }))
    const record = snapshots.encode(snapshot(3, { rows }))

    await snapshots.put(snapshot(3, { rows }))

    expect(Buffer.from(record.state).toString('utf8', 1)).toContain('"_t_":"rows"')
    expect(await snapshots.list(ID)).toEqual([snapshot(3, { rows })])
  })

  test('compresses a large snapshot with Brotli, and reads it back', async () => {
    const snapshots = memory()
    const rows = Array.from({ length: 2_000 }, (_, i) => ({ id: `row-${i}`, n: i }))
    const record = snapshots.encode(snapshot(4, { rows }))

    await snapshots.putRecords([record])

    expect(record.state[0]).toBe(BROTLI)
    expect(record.state.length).toBeLessThan(JSON.stringify(rows).length / 4)
    expect(await snapshots.list(ID)).toEqual([snapshot(4, { rows })])
  })

  test('put of a version stored already leaves the first one (versions are immutable)', async () => {
    const snapshots = memory()
    await snapshots.put(snapshot(2, { name: 'first' }))
    await snapshots.put(snapshot(2, { name: 'second' }))

    expect(await snapshots.list(ID)).toEqual([snapshot(2, { name: 'first' })])
  })

  test('put and putRecords report a store that fails for another reason', async () => {
    const store = createSqliteStore(join(folder, `closed-${++n}.sqlite`), sqliteDriverFromEnv())
    const snapshots = new SnapshotStrategy(store.snapshots, new Mapper())
    const record = snapshots.encode(snapshot(1, {}))
    await store.close()

    await expect(snapshots.put(snapshot(1, {}))).rejects.toThrow()
    await expect(snapshots.putRecords([record])).rejects.toThrow()
    // Nothing to store: nothing to fail.
    await expect(snapshots.putRecords([])).resolves.toBeUndefined()
  })

  test.each([
    ['memory (one insert at a time)', memory],
    [
      'sqlite (insertIfAbsent)',
      () => {
        const store = createSqliteStore(join(folder, `put-${++n}.sqlite`), sqliteDriverFromEnv())
        return new SnapshotStrategy(store.snapshots, new Mapper())
      },
    ],
  ])('putRecords on %s stores the new ones and leaves the stored ones', async (_, make) => {
    const snapshots = make()
    await snapshots.put(snapshot(1, { name: 'stored' }))
    const records = [snapshot(1, { name: 'again' }), snapshot(2, { name: 'new' })].map((s) =>
      snapshots.encode(s),
    )
    await snapshots.putRecords(records)

    expect(await snapshots.list(ID)).toEqual([
      snapshot(1, { name: 'stored' }),
      snapshot(2, { name: 'new' }),
    ])
  })

  test('getSnapshot finds the newest at or below a version, or the newest of all', async () => {
    const snapshots = memory()
    for (const version of [2, 4, 6]) await snapshots.put(snapshot(version, { version }))

    expect((await snapshots.getSnapshot(ID))?.originatorVersion).toBe(6)
    expect((await snapshots.getSnapshot(ID, { lte: 5 }))?.originatorVersion).toBe(4)
    expect((await snapshots.getSnapshot(ID, { lte: 4 }))?.originatorVersion).toBe(4)
    expect(await snapshots.getSnapshot(ID, { lte: 1 })).toBeUndefined()
    expect(await snapshots.getSnapshot('another')).toBeUndefined()
  })

  test('a discarded aggregate is a snapshot with state null', async () => {
    const snapshots = memory()
    await snapshots.put(snapshot(3, null))

    expect(await snapshots.getSnapshot(ID)).toEqual(snapshot(3, null))
  })

  test.each<[string, unknown]>([
    ['no fields', null],
    ['a timestamp that is not a date', { timestamp: '2025-01-01', topic: 't#T', state: {} }],
    ['no topic', { timestamp: new Date(0), state: {} }],
    ['a state that is not an object', { timestamp: new Date(0), topic: 't#T', state: 5 }],
    ['no state', { timestamp: new Date(0), topic: 't#T' }],
  ])('a snapshot record with %s is refused as malformed, naming it', (_, fields) => {
    const snapshots = memory()
    const record = new Mapper().toRecord(ID, 7, SNAPSHOT_TOPIC, fields)

    const error = (() => {
      try {
        snapshots.decode(record)
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(DataIntegrityError)
    expect((error as DataIntegrityError).message).toBe(`snapshot ${ID} v7 is malformed`)
    expect(error).toMatchObject({ details: { originatorId: ID, originatorVersion: 7 } })
  })
})
