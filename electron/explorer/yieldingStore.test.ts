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
})
