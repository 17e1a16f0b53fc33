/**
 * User modules of aggregate types: the plain-JS fixture examples/modules/inventory.mjs loaded
 * through EVENTSCOPE_MODULES (listed with its source, its commands executed, its rule refusing),
 * broken modules reported without stopping the service, and paths nobody granted refused.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import {
  methods,
  type ApiError,
  type MethodName,
  type RequestOf,
  type ResponseOf,
} from '../../shared/contract'
import { dispatch } from './dispatch'
import { AggregateModules, parseModuleList } from './modules'
import { ExplorerService } from './service'

const INVENTORY = fileURLToPath(new URL('../../examples/modules/inventory.mjs', import.meta.url))
const ITEM = 'inventory#InventoryItem'
const folder = mkdtempSync(join(tmpdir(), 'eventscope-modules-'))
const throwing = join(folder, 'throws.mjs')
writeFileSync(
  throwing,
  "export default () => { throw new Error('the database of SKUs is down') }\n",
)
const noFunction = join(folder, 'no-function.mjs')
writeFileSync(noFunction, 'export const types = []\n')
const missing = join(folder, 'missing.mjs')
// A top-level await that never settles, and a register function whose promise never does.
const hangsImporting = join(folder, 'hangs-importing.mjs')
writeFileSync(
  hangsImporting,
  'await new Promise(() => {})\nexport default () => { globalThis.eventscopeLateRegister = true }\n',
)
const hangsRegistering = join(folder, 'hangs-registering.mjs')
writeFileSync(hangsRegistering, 'export default () => new Promise(() => {})\n')

// A syntax error V8 reports without a place; one in a module it imports; a failing call.
const syntax = join(folder, 'syntax.mjs')
writeFileSync(
  syntax,
  'export default function (api) {\n  const item = {\n  api.registerAggregateType(item)\n}\n',
)
const importsBroken = join(folder, 'imports-broken.mjs')
writeFileSync(importsBroken, "import './syntax.mjs'\nexport default () => {}\n")
const callsNothing = join(folder, 'calls-nothing.mjs')
writeFileSync(
  callsNothing,
  'export default function (api) {\n  api.registerAggregateTypes([])\n}\n',
)

const services: ExplorerService[] = []
afterAll(async () => {
  await Promise.all(services.map((s) => s.close()))
})

interface Client {
  service: ExplorerService
  ok<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>
  fail(method: MethodName, request: unknown): Promise<ApiError>
}

function client(modules: string): Client {
  const service = new ExplorerService({
    emit: () => {},
    cipherKey: undefined,
    env: { EVENTSCOPE_MODULES: modules },
  })
  services.push(service)
  return {
    service,
    async ok(method, request) {
      const envelope = await dispatch(service, method, request)
      if (!envelope.ok)
        throw new Error(`${method} failed: ${envelope.error.code}: ${envelope.error.message}`)
      return methods[method].response.parse(envelope.value) as ResponseOf<typeof method>
    },
    async fail(method, request) {
      const envelope = await dispatch(service, method, request)
      if (envelope.ok) throw new Error(`${method} succeeded but was expected to fail`)
      return envelope.error
    },
  }
}

test('EVENTSCOPE_MODULES is a comma-separated list of paths', () => {
  expect(parseModuleList(' a.mjs, ,b/c.js ,')).toEqual(['a.mjs', 'b/c.js'])
  expect(parseModuleList(undefined)).toEqual([])
})

describe('the inventory fixture loaded through EVENTSCOPE_MODULES', () => {
  test('its type is listed with the module as its source; the built-in ones stay built-in', async () => {
    const c = client(INVENTORY)
    const info = await c.ok('getConnection', {})
    expect(info.modules).toEqual([{ path: INVENTORY, types: [ITEM] }])
    const types = await c.ok('listAggregateTypes', {})
    const item = types.find((t) => t.topic === ITEM)
    expect(item).toMatchObject({ displayName: 'Inventory item', canSeed: true, source: INVENTORY })
    expect(item?.commands.map((command) => command.name)).toEqual(['receive', 'ship'])
    expect(item?.create.parameters.required).toEqual(['sku'])
    expect(types.find((t) => t.topic === 'example#ExampleAggregateRoot')).toMatchObject({
      source: 'built-in',
      canSeed: true,
    })
  })

  test.each(['memory', 'sqlite'] as const)(
    'on %s: execute works on it, and its rule refuses shipping more than in stock',
    async (kind) => {
      const c = client(INVENTORY)
      await c.ok(
        'connect',
        kind === 'memory'
          ? { kind }
          : { kind, path: join(folder, `inventory-${Date.now()}.sqlite`) },
      )
      const created = await c.ok('execute', {
        type: ITEM,
        expectedVersion: -1,
        commands: [
          { name: 'create', params: { sku: 'SKU-1', name: 'Bolt' } },
          { name: 'receive', params: { quantity: 5 } },
          { name: 'ship', params: { quantity: 3 } },
        ],
      })
      expect(created).toMatchObject({
        type: ITEM,
        version: 2,
        state: { _sku: 'SKU-1', _name: 'Bolt', _inStock: 2 },
      })
      expect(created.events.map((e) => e.topic)).toEqual([
        `${ITEM}.Created`,
        `${ITEM}.Received`,
        `${ITEM}.Shipped`,
      ])
      const refused = await c.fail('execute', {
        id: created.id,
        expectedVersion: 2,
        commands: [{ name: 'ship', params: { quantity: 3 } }],
      })
      expect(refused).toMatchObject({
        code: 'DomainError',
        details: { rule: 'cannot-ship-more-than-in-stock' },
      })
      expect(refused.message).toContain('only 2 in stock')
      const view = await c.ok('getAggregate', { id: created.id })
      expect(view).toMatchObject({ type: ITEM, version: 2, state: { _inStock: 2 } })

      const seeded = await c.ok('seedDemoData', {
        aggregates: 3,
        events: 10,
        type: ITEM,
        taskId: 's',
      })
      expect(seeded).toEqual({ aggregates: 3, events: 30, cancelled: false })
      const listed = await c.ok('listAggregates', { type: ITEM })
      expect(listed.items.map((a) => a.version).sort()).toEqual([2, 9, 9, 9])
    },
  )
})

describe('modules that fail, and paths not granted', () => {
  test('a module that throws, one that does not exist and one without a function are reported; the rest works', async () => {
    const c = client([throwing, missing, INVENTORY, noFunction].join(','))
    const { modules } = await c.ok('getConnection', {})
    expect(modules).toHaveLength(4)
    const [threw, absent, inventory, none] = modules!
    expect(threw).toMatchObject({ path: throwing, types: [] })
    expect(threw!.error).toMatch(/register function failed: the database of SKUs is down/)
    expect(absent).toMatchObject({ path: missing, types: [] })
    expect(absent!.error).toMatch(/no such file/)
    expect(inventory).toEqual({ path: INVENTORY, types: [ITEM] })
    expect(none!.error).toMatch(/exports no register function/)
    await c.ok('connect', { kind: 'memory' })
    expect((await c.ok('listAggregateTypes', {})).find((t) => t.topic === ITEM)?.source).toBe(
      INVENTORY,
    )
  })

  test('a failure names the line of the module where it happened, when it is in the module', async () => {
    const modules = new AggregateModules(undefined, 5_000)
    await modules.loadAll([syntax, importsBroken, callsNothing])
    const [bad, importer, calls] = modules.list()
    // V8's message has no place (under vitest the loader's differs): the place is added.
    expect(bad!.error).toMatch(
      /^could not be imported: .+ \(syntax\.mjs line 3, column 6: " {2}api\.registerAggregateType\(item\)"\)$/,
    )
    // The broken file is another one: no place in this one is claimed.
    expect(importer!.error).toMatch(/^could not be imported: [^(]+$/)
    expect(calls!.error).toBe(
      'its register function failed: api.registerAggregateTypes is not a function (calls-nothing.mjs line 2, column 7: "  api.registerAggregateTypes([])")',
    )
  })

  test('a module whose import or register function never settles is reported after the timeout; the next one loads', async () => {
    const modules = new AggregateModules(undefined, 200)
    await modules.loadAll([hangsImporting, hangsRegistering, INVENTORY])
    const [importing, registering, inventory] = modules.list()
    expect(importing).toMatchObject({ path: hangsImporting, types: [] })
    expect(importing!.error).toBe('could not be imported: it did not finish within 200 ms')
    expect(registering!.error).toBe('its register function failed: it did not finish within 200 ms')
    expect(inventory).toEqual({ path: INVENTORY, types: [ITEM] })
    expect(
      (globalThis as { eventscopeLateRegister?: boolean }).eventscopeLateRegister,
    ).toBeUndefined()
  })

  test('loadAggregateModule loads granted paths only: a path sent by a client is refused', async () => {
    const c = client(INVENTORY)
    const elsewhere = join(folder, 'elsewhere.mjs')
    writeFileSync(elsewhere, 'globalThis.eventscopeModuleRan = true\nexport default () => {}\n')
    const refused = await c.fail('loadAggregateModule', { path: elsewhere })
    expect(refused).toMatchObject({ code: 'ValidationError', details: { parameter: 'path' } })
    expect(refused.message).toMatch(/EVENTSCOPE_MODULES|Load module/)
    expect((globalThis as { eventscopeModuleRan?: boolean }).eventscopeModuleRan).toBeUndefined()

    // Named in EVENTSCOPE_MODULES: loading it again is allowed (and registers nothing new).
    expect(await c.ok('loadAggregateModule', { path: INVENTORY })).toEqual({
      path: INVENTORY,
      types: [ITEM],
    })
    // Chosen in the desktop app's dialog: granted by the main process, then loadable.
    c.service.modules.grant(elsewhere)
    expect(await c.ok('loadAggregateModule', { path: elsewhere })).toEqual({
      path: resolve(elsewhere),
      types: [],
    })
    expect((globalThis as { eventscopeModuleRan?: boolean }).eventscopeModuleRan).toBe(true)
    expect((await c.ok('getConnection', {})).modules?.map((m) => m.path)).toEqual([
      INVENTORY,
      elsewhere,
    ])
  })
})
