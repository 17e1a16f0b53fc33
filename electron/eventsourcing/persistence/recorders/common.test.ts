import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ConcurrencyError } from '../../errors'
import type { StoredRecord } from '../recorder'
import { aggregateTopicOf, checkBatch, concurrencyError, decodeToken, encodeToken } from './common'
import { createMemoryStore } from './memory'
import { createSqliteStore } from './sqlite'

const rec = (originatorId: string, originatorVersion: number): StoredRecord => ({
  originatorId,
  originatorVersion,
  topic: 'example#Thing.Created',
  state: Uint8Array.of(0, 1, 2),
})

const stores = [
  ['memory', () => createMemoryStore()],
  ['sqlite', () => createSqliteStore(join(mkdtempSync(join(tmpdir(), 'common-')), 'c.sqlite'))],
] as const

describe('checkBatch', () => {
  test('when a batch is well formed, then its originator and version range come back', () => {
    const id = randomUUID()
    expect(checkBatch([rec(id, 3), rec(id, 4), rec(id, 5)])).toEqual({
      originatorId: id,
      from: 3,
      to: 5,
    })
  })

  test('when a batch is empty, mixes originators or skips a version, then it is refused with why', () => {
    const id = randomUUID()
    expect(() => checkBatch([])).toThrow(new TypeError('a batch must hold at least one record'))
    expect(() => checkBatch([rec(id, 1), rec(randomUUID(), 2)])).toThrow(
      new TypeError('a batch must hold records of one originator only'),
    )
    expect(() => checkBatch([rec(id, 1), rec(id, 3)])).toThrow(
      new TypeError('batch versions must be consecutive; expected 2, got 3'),
    )
  })

  test.each(stores)(
    'when a %s store is given a bad batch, then it writes none of it',
    async (_name, make) => {
      const store = make()
      try {
        const id = randomUUID()
        const other = randomUUID()
        await expect(store.events.insert([])).rejects.toThrow('at least one record')
        await expect(store.events.insert([rec(id, 1), rec(other, 2)])).rejects.toThrow(
          'one originator only',
        )
        await expect(store.events.insert([rec(id, 1), rec(id, 1)])).rejects.toThrow(
          'expected 2, got 1',
        )
        expect(await store.events.select(id)).toEqual([])
        expect(await store.events.select(other)).toEqual([])
      } finally {
        await store.close()
      }
    },
  )
})

describe('concurrencyError', () => {
  test('when the stored version is known, then the message and details name it, with the cause', () => {
    const id = randomUUID()
    const cause = new Error('constraint failed')
    const error = concurrencyError([rec(id, 4), rec(id, 5)], 6, cause)
    expect(error).toBeInstanceOf(ConcurrencyError)
    expect(error.message).toBe(
      `version 4, 5 of ${id} already exists (stored version is 6): another handle saved first; reload and retry`,
    )
    expect(error.details).toStrictEqual({ originatorId: id, attempted: [4, 5], actualVersion: 6 })
    expect(error.cause).toBe(cause)
  })

  test('when the stored version and cause are unknown, then neither is claimed', () => {
    const id = randomUUID()
    const error = concurrencyError([rec(id, 2)])
    expect(error.message).toBe(
      `version 2 of ${id} already exists: another handle saved first; reload and retry`,
    )
    expect(error.details).toStrictEqual({ originatorId: id, attempted: [2] })
    expect('cause' in error).toBe(false)
  })

  test('when no record is given, then the originator shows as ?', () => {
    const error = concurrencyError([], 0)
    expect(error.details).toStrictEqual({ originatorId: '?', attempted: [], actualVersion: 0 })
    expect(error.message).toBe(
      'version  of ? already exists (stored version is 0): another handle saved first; reload and retry',
    )
  })

  test('when a memory store is given a version it holds, then the error tells the stored version', async () => {
    const store = createMemoryStore()
    const id = randomUUID()
    await store.events.insert([rec(id, 1), rec(id, 2)])
    const error = await store.events.insert([rec(id, 2)]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConcurrencyError)
    expect((error as ConcurrencyError).details).toStrictEqual({
      originatorId: id,
      attempted: [2],
      actualVersion: 2,
    })
  })
})

describe('aggregateTopicOf', () => {
  test('then it is the class topic of the first event, and empty for no events', () => {
    expect(aggregateTopicOf([rec(randomUUID(), 1)])).toBe('example#Thing')
    expect(aggregateTopicOf([])).toBe('')
  })
})

describe('page tokens', () => {
  const isPosition = (v: unknown): v is { k: string } =>
    typeof v === 'object' && v !== null && typeof (v as { k?: unknown }).k === 'string'
  const anything = (v: unknown): v is unknown => v !== 'never'

  test('when a token is encoded, then it is URL-safe and decodes to the same value', () => {
    const value = { k: 'é/+?\u00ff', n: [1, 2] }
    const token = encodeToken(value)
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeToken(token, isPosition)).toEqual(value)
  })

  test('when a token is not JSON, then it is refused even by a check that takes anything', () => {
    const token = Buffer.from('{not json', 'utf8').toString('base64url')
    expect(() => decodeToken(token, anything)).toThrow(new TypeError('invalid page token'))
  })

  test('when a token fails its check, then it is refused', () => {
    expect(() => decodeToken(encodeToken({ k: 7 }), isPosition)).toThrow(
      new TypeError('invalid page token'),
    )
  })

  test.each(stores)(
    'when a %s store is given a forged page token, then listing refuses it',
    async (_name, make) => {
      const store = make()
      try {
        for (const pageToken of [encodeToken({ x: 1 }), '%%%']) {
          await expect(store.events.listAggregates({ limit: 5, pageToken })).rejects.toThrow(
            new TypeError('invalid page token'),
          )
        }
      } finally {
        await store.close()
      }
    },
  )
})
