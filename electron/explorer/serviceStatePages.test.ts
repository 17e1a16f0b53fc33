/**
 * getAggregate's state in pages (statePaging.ts) on real stores: an answer cuts a large
 * container, getStateChildren sends the rest, and together they are the whole state (as
 * diffVersions, which is not paged, sends it).
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import type { JsonValue } from '../../shared/contract'
import { childrenOf } from '../../shared/displayValue'
import { valueAt } from '../../shared/statePages'
import {
  closeOpenServices,
  connected,
  dropServiceKeyspaces,
  seededAggregate,
  serviceStores,
} from './serviceTesting'

afterEach(closeOpenServices)
afterAll(dropServiceKeyspaces)

type Obj = Record<string, JsonValue>

describe.each(await serviceStores())('state pages on the %s store', (kind) => {
  test('a large container comes cut, and its further children page by page', async () => {
    // The demo adds an Example entity every 5th event: 200 of them by version 1000.
    const h = await connected(kind, { snapshotPeriod: 100 })
    const id = await seededAggregate(h, 1250)
    const at = 1000

    const view = await h.ok('getAggregate', { id, at })
    const whole = (await h.ok('diffVersions', { id, from: 0, to: at })).to!
    const cut = view.stateOmitted.find((o) => o.total > 100)!
    expect(cut).toMatchObject({ kind: 'object', shown: 100, total: 200 })
    // A map's entries are its children, wherever the display holds them.
    const wholeContainer = childrenOf(valueAt(whole, cut.path))!
    const shown = childrenOf(valueAt(view.state, cut.path))!
    expect(Object.keys(shown as Obj)).toHaveLength(100)

    const rest: Obj = {}
    for (let offset = 100; offset < cut.total; offset += 60) {
      const page = await h.ok('getStateChildren', { id, at, path: cut.path, offset, limit: 60 })
      expect(page).toMatchObject({ total: 200, offset, omitted: [] })
      for (const child of page.children) rest[String(child.key)] = child.value
    }
    expect({ ...(shown as Obj), ...rest }).toEqual(wholeContainer)
    expect(Object.keys({ ...(shown as Obj), ...rest })).toEqual(Object.keys(wholeContainer as Obj))
    // Everything else of the state came whole.
    expect({ ...(view.state as Obj), [cut.path[0] as string]: null }).toEqual({
      ...(whole as Obj),
      [cut.path[0] as string]: null,
    })
  })

  test('a listed snapshot comes cut, and its further children page from the stored snapshot', async () => {
    const h = await connected(kind, { snapshotPeriod: 100 })
    const id = await seededAggregate(h, 1250)

    // The newest snapshot, with over 200 entities by then.
    const { items } = await h.ok('listSnapshots', { id, limit: 1 })
    const listed = items[0]!
    const at = listed.version
    expect(at).toBeGreaterThan(1000)
    const { snapshot: stored } = await h.ok('compareSnapshot', { id, version: at })
    expect(stored.stateOmitted).toEqual([]) // compareSnapshot sends the stored state whole
    const cut = listed.stateOmitted.find((o) => o.total > 100)!
    expect(cut).toMatchObject({ kind: 'object', shown: 100 })
    const at$ = (state: JsonValue) => childrenOf(valueAt(state, cut.path))!

    const rest: Obj = {}
    for (let offset = 100; offset < cut.total; offset += 60) {
      const page = await h.ok('getStateChildren', {
        id,
        at,
        path: cut.path,
        offset,
        limit: 60,
        snapshot: true,
      })
      expect(page).toMatchObject({ total: cut.total, offset, omitted: [] })
      for (const child of page.children) rest[String(child.key)] = child.value
    }
    expect({ ...(at$(listed.state) as Obj), ...rest }).toEqual(at$(stored.state))
    expect({ ...(listed.state as Obj), [cut.path[0] as string]: null }).toEqual({
      ...(stored.state as Obj),
      [cut.path[0] as string]: null,
    })
    // Only a stored snapshot's version has one.
    const missing = await h.fail('getStateChildren', {
      ...{ id, at: at + 1, path: cut.path, offset: 0, limit: 10 },
      snapshot: true,
    })
    expect(missing.code).toBe('AggregateNotFound')
    expect(missing.message).toContain(`no snapshot at version ${at + 1}`)
  })

  test('a path that is not a container of that version is refused', async () => {
    const h = await connected(kind)
    const id = await seededAggregate(h, 12)

    const error = await h.fail('getStateChildren', {
      id,
      at: 3,
      path: ['no such key'],
      offset: 0,
      limit: 10,
    })
    expect(error.code).toBe('ValidationError')
    expect(error.message).toContain('no object or array at ["no such key"]')
    const late = await h.fail('getStateChildren', { id, at: 99, path: [], offset: 0, limit: 10 })
    expect(late.code).toBe('AggregateNotFound')
  })
})
