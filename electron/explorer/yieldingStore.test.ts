import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { createMemoryStore, createSqliteStore, type Store } from '../eventsourcing'
import { EverythingApplication } from '../example/everythingApplication'
import { createExampleAggregate } from '../example/factory'
import { yieldingStore } from './yieldingStore'

const folder = mkdtempSync(join(tmpdir(), 'eventscope-yielding-'))

describe('yieldingStore', () => {
  test.each<[string, () => Store]>([
    ['memory', () => createMemoryStore()],
    ['sqlite', () => createSqliteStore(join(folder, 'store.sqlite'))],
  ])(
    'keeps the %s store able to save several aggregates in one atomic insert',
    async (_kind, open) => {
      const store = yieldingStore(open())
      expect(store.events.insertBatches).toBeDefined()
      await using app = new EverythingApplication({ store })
      const a = createExampleAggregate('a')
      const b = createExampleAggregate('b')

      await app.save(a, b)

      expect((await app.latest(a.id))?.version).toBe(0)
      expect((await app.latest(b.id))?.version).toBe(0)
    },
  )

  test('offers the split and version reads of a store that has them, with the same answers', async () => {
    const inner = createSqliteStore(join(folder, 'split.sqlite'))
    const store = yieldingStore(inner)
    await using app = new EverythingApplication({ store, compress: false })
    const a = createExampleAggregate('a')
    for (let i = 0; i < 5; i++) a.createNewExample()
    await app.save(a)
    const split = app.mapper.stateSplit
    expect(split).toBeDefined()
    // Without selectSplit, every replay through the explorer read whole rows and rebuilt each
    // event's hashed text (eventStore.checkedPages falls back to select).
    expect(store.events.selectSplit).toBeDefined()
    expect(store.events.selectVersions).toBeDefined()
    const rows = await store.events.selectSplit!(a.id, { gt: 0 }, split)
    expect(rows).toEqual(await inner.events.selectSplit!(a.id, { gt: 0 }, split))
    expect(rows.map((row) => typeof row[2])).toEqual(Array(5).fill('string'))
    expect(await store.events.selectVersions!(a.id, { lte: 3 })).toEqual([0, 1, 2, 3])
    // A store without them (memory has no split read) is offered none.
    expect(yieldingStore(createMemoryStore()).events.selectSplit).toBeUndefined()
  })
})
