/**
 * Long strings in a store another program wrote (the UI's own commands refuse such values): a
 * timeline page (shared/longStrings.ts) and a state (shared/statePages.ts) show their first
 * characters and say where and how long; a search still sees the whole payload, and
 * exportHistory sends it whole.
 */
import { afterEach, expect, test } from 'vitest'
import type { ResponseOf } from '../../shared/contract'
import { STRING_SHOWN_MAX } from '../../shared/statePages'
import { createSqliteStore } from '../eventsourcing'
import { EverythingApplication } from '../example/everythingApplication'
import { SEED_CIPHER_KEY } from '../example/seedSettings'
import { EXPORT_PAGE_BYTES, withinExportBytes } from './dto'
import { closeOpenServices, connected, newSqlitePath, stateOf } from './serviceTesting'
import { sqliteDriverFromEnv } from './storeEnv'

afterEach(closeOpenServices)

test('a listed payload holds the first characters; search and export see all of them', async () => {
  const path = newSqlitePath()
  const long = `${'a'.repeat(STRING_SHOWN_MAX)}needle${'b'.repeat(20_000)}`
  const other = new EverythingApplication({
    store: createSqliteStore(path, sqliteDriverFromEnv()),
    cipherKey: SEED_CIPHER_KEY,
  })
  let id: string
  try {
    const aggregate = other.createExampleAggregate('short')
    aggregate.foo = long
    await aggregate.save()
    id = aggregate.id
  } finally {
    await other.close()
  }
  const h = await connected('sqlite', {}, path)

  const page = await h.ok('listEvents', { id })
  expect(page.items.map((e) => e.payloadShortened)).toEqual([
    [],
    [{ path: ['value'], length: long.length }],
  ])
  expect(stateOf(page.items[1]!.payload)['value']).toBe('a'.repeat(STRING_SHOWN_MAX))
  expect(stateOf(page.items[0]!.payload)['foo']).toBe('short')

  const found = await h.ok('listEvents', { id, search: 'needle' })
  expect(found.items.map((e) => [e.version, e.payloadShortened.length])).toEqual([[1, 1]])

  const exported = await h.ok('exportHistory', { id })
  expect(exported.events.map((e) => e.payloadShortened)).toEqual([[], []])
  expect(stateOf(exported.events[1]!.payload)['value']).toBe(long)

  // The state: its long string shown in part, at every way of reading it.
  const view = await h.ok('getAggregate', { id })
  expect(view.stateShortened).toEqual([{ path: ['_foo'], length: long.length }])
  expect(stateOf(view.state)['_foo']).toBe('a'.repeat(STRING_SHOWN_MAX))
  const root = await h.ok('getStateChildren', { id, at: 1, path: [], offset: 0, limit: 100 })
  expect(root.shortened).toEqual([{ path: ['_foo'], length: long.length }])
  expect(root.children.find((c) => c.key === '_foo')?.value).toBe('a'.repeat(STRING_SHOWN_MAX))
})

test('an export page of large payloads ends early, and the pages add up to the whole history', async () => {
  const path = newSqlitePath()
  const other = new EverythingApplication({
    store: createSqliteStore(path, sqliteDriverFromEnv()),
    cipherKey: SEED_CIPHER_KEY,
  })
  const big = (i: number) => String(i % 10).repeat(Math.ceil(EXPORT_PAGE_BYTES * 0.4))
  let id: string
  try {
    const aggregate = other.createExampleAggregate('start')
    for (let i = 1; i <= 4; i++) aggregate.foo = big(i)
    await aggregate.save()
    id = aggregate.id
  } finally {
    await other.close()
  }
  const h = await connected('sqlite', {}, path)

  const versions: number[][] = []
  const values: unknown[] = []
  for (let from: number | undefined = 0; from !== undefined;) {
    const page: ResponseOf<'exportHistory'> = await h.ok('exportHistory', { id, fromVersion: from })
    versions.push(page.events.map((e) => e.version))
    values.push(...page.events.map((e) => stateOf(e.payload)['value']))
    from = page.nextFromVersion
  }
  // 0.4 of the budget each: v0 (small) + v1 + v2 fit, v3 + v4 the next page.
  expect(versions).toEqual([
    [0, 1, 2],
    [3, 4],
  ])
  expect(values).toEqual([undefined, big(1), big(2), big(3), big(4)])
})

test('withinExportBytes keeps at least one event and says where it stopped', () => {
  const event = (version: number, chars: number) => ({
    ...{ originatorId: '00000000-0000-4000-8000-000000000001', version, topic: 't', type: 't' },
    ...{
      role: 'changed' as const,
      timestamp: '2026-01-01T00:00:00.000Z',
      hash: '',
      previousHash: '',
    },
    payload: 'x'.repeat(chars),
    payloadShortened: [],
  })
  const huge = withinExportBytes([event(0, EXPORT_PAGE_BYTES * 2), event(1, 10)])
  expect([huge.events.map((e) => e.version), huge.stoppedAt]).toEqual([[0], 1])
  const small = withinExportBytes([event(0, 10), event(1, 10)])
  expect([small.events.map((e) => e.version), small.stoppedAt]).toEqual([[0, 1], undefined])
})
