/**
 * Long strings in a store another program wrote (the UI's own commands refuse such values): a
 * timeline page (shared/longStrings.ts) and a state (shared/statePages.ts) show their first
 * characters and say where and how long; a search still sees the whole payload, and
 * exportHistory sends it whole.
 */
import { afterEach, expect, test } from 'vitest'
import { STRING_SHOWN_MAX } from '../../shared/statePages'
import { createSqliteStore } from '../eventsourcing'
import { EverythingApplication } from '../example/everythingApplication'
import { SEED_CIPHER_KEY } from '../example/seedSettings'
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
