/**
 * SnapshotStrategy.decodeSummary: a snapshot without its state, read from the head of a large
 * state's text. It must say exactly what a whole decode says, for every way a state is stored,
 * and refuse what a whole decode refuses where it reads (the whole ciphertext's tag).
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { seededRandom } from '../../../test/seededRandom'
import { DataIntegrityError } from '../errors'
import { AesGcmCipher } from '../persistence/cipher'
import { Mapper } from '../persistence/mapper'
import { BROTLI, COMPRESSED, ENCRYPTED } from '../persistence/recordFlags'
import { MemoryAggregateRecorder } from '../persistence/recorders/memory'
import type { StoredRecord } from '../persistence/recorder'
import { SNAPSHOT_TOPIC, type Snapshot, SnapshotStrategy } from './snapshotStrategy'

const ID = '5a1d6c0e-3f2b-4e7a-9c8d-1b2a3c4d5e6f'
const KEY = randomBytes(16)

const mappers = {
  brotli: () => new Mapper(),
  plain: () => new Mapper({ compress: false }),
  encrypted: () => new Mapper({ cipher: new AesGcmCipher(KEY) }),
  'encrypted, not compressed': () => new Mapper({ cipher: new AesGcmCipher(KEY), compress: false }),
}

const strategy = (mapper: Mapper) => new SnapshotStrategy(new MemoryAggregateRecorder(), mapper)

/** Hard to compress: its records are larger than the head a summary reads. */
const noise = (random: () => number, chars: number) =>
  Array.from({ length: chars }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[(random() * 36) | 0])
    .join('')
    .replace(/(.{40})/g, '$1"\\\n')

function randomSnapshot(random: () => number, version: number): Snapshot {
  const size = [10, 500, 5_000, 40_000][(random() * 4) | 0]!
  const state =
    random() < 0.1
      ? null
      : {
          // Keys that look like the top level's, nested: the head must not be cut there.
          state: { state: noise(random, 8), topic: 'nested#Topic' },
          text: noise(random, size),
          rows: Array.from({ length: (random() * 50) | 0 }, (_, i) => ({
            at: new Date(1_700_000_000_000 + i),
            n: i,
          })),
        }
  return {
    originatorId: ID,
    originatorVersion: version,
    timestamp: new Date(1_600_000_000_000 + ((random() * 1e12) | 0)),
    topic: `domain#Thing${(random() * 5) | 0}${random() < 0.2 ? ',"state":{' : ''}`,
    state,
  }
}

const summaryOf = (s: Snapshot) => ({
  originatorId: s.originatorId,
  originatorVersion: s.originatorVersion,
  timestamp: s.timestamp,
  topic: s.topic,
  discarded: s.state === null,
})

describe('SnapshotStrategy.decodeSummary', () => {
  for (const [name, mapper] of Object.entries(mappers)) {
    test(`says what a whole decode says: ${name}`, () => {
      const snapshots = strategy(mapper())
      const random = seededRandom(name.length)
      for (let version = 0; version < 120; version++) {
        const record = snapshots.encode(randomSnapshot(random, version))
        expect(snapshots.decodeSummary(record)).toEqual(summaryOf(snapshots.decode(record)))
      }
    })
  }

  test('reads a zlib-compressed snapshot (as earlier versions stored them)', () => {
    const mapper = new Mapper()
    const snapshots = strategy(mapper)
    const random = seededRandom(7)
    for (let version = 0; version < 40; version++) {
      const s = randomSnapshot(random, version)
      const record = mapper.toRecord(ID, version, SNAPSHOT_TOPIC, {
        timestamp: s.timestamp,
        topic: s.topic,
        state: s.state,
      })
      expect(record.state[0]! & BROTLI).toBe(0)
      expect(snapshots.decodeSummary(record)).toEqual(summaryOf(snapshots.decode(record)))
    }
    const large = mapper.toRecord(ID, 1, SNAPSHOT_TOPIC, {
      timestamp: new Date(0),
      topic: 't',
      state: { text: noise(random, 20_000) },
    })
    expect(large.state[0]).toBe(COMPRESSED)
  })

  test('reads only the head of a large state that is not encrypted', () => {
    const snapshots = strategy(new Mapper())
    const s = randomSnapshot(seededRandom(3), 5)
    const large = { ...s, state: { text: noise(seededRandom(4), 40_000) } }
    const record = snapshots.encode(large)
    // Damage far past the head: only a whole decode meets it (the Open of that snapshot).
    const damaged: StoredRecord = { ...record, state: Uint8Array.from(record.state) }
    damaged.state.fill(0xff, damaged.state.length - 200)

    expect(snapshots.decodeSummary(damaged)).toEqual(summaryOf(large))
    expect(() => snapshots.decode(damaged)).toThrow(DataIntegrityError)
  })

  test('checks the whole of an encrypted state: tampering anywhere is an integrity error', () => {
    const snapshots = strategy(mappers.encrypted())
    const s = randomSnapshot(seededRandom(5), 5)
    const record = snapshots.encode({ ...s, state: { text: noise(seededRandom(6), 40_000) } })
    expect(record.state[0]! & ENCRYPTED).toBe(ENCRYPTED)
    const tampered: StoredRecord = { ...record, state: Uint8Array.from(record.state) }
    tampered.state[tampered.state.length - 100]! ^= 1

    expect(() => snapshots.decodeSummary(tampered)).toThrow(DataIntegrityError)
    // Moved to another version: its tag binds it to its own.
    expect(() => snapshots.decodeSummary({ ...record, originatorVersion: 6 })).toThrow(
      DataIntegrityError,
    )
  })

  test('refuses what the key says it cannot have written, as a whole decode does', () => {
    const s = randomSnapshot(seededRandom(8), 2)
    const large = { ...s, state: { text: noise(seededRandom(9), 40_000) } }
    const plainRecord = strategy(new Mapper()).encode(large)
    const sealedRecord = strategy(mappers.encrypted()).encode(large)

    expect(() => strategy(mappers.encrypted()).decodeSummary(plainRecord)).toThrow(
      /not encrypted but this application encrypts everything/,
    )
    expect(() => strategy(new Mapper()).decodeSummary(sealedRecord)).toThrow(
      /encrypted but no cipher key is configured/,
    )
    const otherKey = new Mapper({ cipher: new AesGcmCipher(randomBytes(16)) })
    expect(() => strategy(otherKey).decodeSummary(sealedRecord)).toThrow(DataIntegrityError)
  })

  test('a head not written as this strategy writes it is decoded whole', () => {
    const mapper = new Mapper()
    const snapshots = strategy(mapper)
    const state = { text: noise(seededRandom(10), 40_000) }
    const at = new Date(1_650_000_000_000)
    // The state first, then the time and type: no head to read apart.
    const stateFirst = mapper.toRecord(
      ID,
      3,
      SNAPSHOT_TOPIC,
      { state, timestamp: at, topic: 'x#Y' },
      { brotli: true },
    )
    expect(snapshots.decodeSummary(stateFirst)).toEqual({
      originatorId: ID,
      originatorVersion: 3,
      timestamp: at,
      topic: 'x#Y',
      discarded: false,
    })
    // Another key beside the time and type: the whole decode judges it (it ignores extra keys).
    const extra = mapper.toRecord(
      ID,
      4,
      SNAPSHOT_TOPIC,
      { timestamp: at, topic: 'x#Y', other: 1, state },
      { brotli: true },
    )
    expect(snapshots.decodeSummary(extra)).toEqual(summaryOf(snapshots.decode(extra)))
    // A timestamp that is not a time: malformed, as the whole decode says.
    const malformed = mapper.toRecord(
      ID,
      5,
      SNAPSHOT_TOPIC,
      { timestamp: 'yesterday', topic: 'x#Y', state },
      { brotli: true },
    )
    expect(() => snapshots.decodeSummary(malformed)).toThrow(/is malformed/)
    // A state that is neither an object nor null: malformed too, however large.
    const notAnObject = mapper.toRecord(
      ID,
      6,
      SNAPSHOT_TOPIC,
      { timestamp: at, topic: 'x#Y', state: state.text },
      { brotli: true },
    )
    expect(() => snapshots.decodeSummary(notAnObject)).toThrow(/is malformed/)
  })
})
