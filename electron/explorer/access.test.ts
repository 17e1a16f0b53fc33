/**
 * Read-only connections and key mismatches through `dispatch`, as both transports call it: every
 * writing method the contract names is refused with ReadOnly, and the store is unchanged after.
 * On SQLite and on real Cassandra.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import {
  methodNames,
  methods,
  writeMethodNames,
  type ConnectionSettings,
  type MethodDefinition,
  type MethodName,
  type RequestOf,
  type ResponseOf,
} from '../../shared/contract'
import {
  cassandraTestSettings,
  describeWithCassandra,
  dropCassandraTestKeyspace,
} from '../../test/cassandraTestStore'
import { dispatch } from './dispatch'
import { ExplorerService } from './service'

const KEY_A = new Uint8Array(randomBytes(32))
const KEY_B = new Uint8Array(randomBytes(32))
const folder = mkdtempSync(join(tmpdir(), 'eventscope-access-'))

/**
 * A valid request for each writing method. Every method the contract marks `write` must have
 * one: a method added later fails the test below until it is listed (and so proven refused).
 */
function writeRequest(method: MethodName, aggregateId: string): unknown {
  const samples: Partial<Record<MethodName, unknown>> = {
    seedDemoData: { aggregates: 2, events: 3, taskId: 'seed-refused' },
    execute: {
      id: aggregateId,
      expectedVersion: 0,
      commands: [{ name: 'setFoo', params: { value: 'must not land' } }],
    },
  }
  if (!(method in samples)) throw new Error(`no sample request for the write method ${method}`)
  return samples[method]
}

const services: ExplorerService[] = []
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()))
})

function service(cipherKey: Uint8Array | undefined): ExplorerService {
  const s = new ExplorerService({ cipherKey, snapshotPeriod: 2, emit: () => {} })
  services.push(s)
  return s
}

async function ok<M extends MethodName>(
  s: ExplorerService,
  method: M,
  request: RequestOf<M>,
): Promise<ResponseOf<M>> {
  const envelope = await dispatch(s, method, request)
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error.code}: ${envelope.error.message}`)
  return methods[method].response.parse(envelope.value) as ResponseOf<M>
}

/** Writes one aggregate of 3 events (a snapshot at v1) with `key`; returns its id. */
async function writeOne(
  settings: ConnectionSettings,
  key: Uint8Array | undefined,
): Promise<string> {
  const s = service(key)
  await ok(s, 'connect', settings)
  const { id } = await ok(s, 'execute', {
    type: 'example#ExampleAggregateRoot',
    expectedVersion: -1,
    commands: [{ name: 'create', params: { foo: 'v0' } }],
  })
  await ok(s, 'execute', {
    id,
    expectedVersion: 0,
    commands: ['v1', 'v2'].map((value) => ({ name: 'setFoo', params: { value } })),
  })
  await s.close()
  return id
}

/** What must not change: how many aggregates, the aggregate's events and snapshots. */
async function fingerprint(s: ExplorerService, id: string): Promise<string> {
  const { total } = await ok(s, 'listAggregates', {})
  const raw = []
  for (let version = 0; version <= 3; version++) {
    for (const kind of ['event', 'snapshot'] as const) {
      const envelope = await dispatch(s, 'getRawRecord', { id, version, kind })
      raw.push(envelope.ok ? envelope.value : envelope.error.code)
    }
  }
  return JSON.stringify({ total, raw })
}

async function expectEveryWriteRefused(
  s: ExplorerService,
  id: string,
  reason: string,
): Promise<void> {
  const before = await fingerprint(s, id)
  expect(writeMethodNames.length).toBeGreaterThan(0)
  for (const method of writeMethodNames) {
    const envelope = await dispatch(s, method, writeRequest(method, id))
    expect(envelope.ok, method).toBe(false)
    if (envelope.ok) continue
    expect(envelope.error.code, method).toBe('ReadOnly')
    expect(envelope.error.details, method).toMatchObject({ method, reason })
  }
  expect(await fingerprint(s, id)).toBe(before)
}

function accessSuite(settingsFor: (name: string) => ConnectionSettings): void {
  test('a read-only connection refuses every write method of the contract and still reads', async () => {
    const settings = settingsFor('read-only')
    const id = await writeOne(settings, KEY_A)
    const s = service(KEY_A)
    const info = await ok(s, 'connect', { ...settings, readOnly: true })
    expect(info).toMatchObject({ readOnly: true, requestedReadOnly: true })
    expect(info.readOnlyReason).toMatch(/opened read-only/)
    expect(info.keyStatus).toMatchObject({ state: 'verified', mismatch: false })
    await expectEveryWriteRefused(s, id, 'read-only')
    expect((await ok(s, 'getAggregate', { id })).state).toMatchObject({ _foo: 'v2' })
    // Reconnecting without read-only makes it writable again.
    const writable = await ok(s, 'connect', settings)
    expect(writable).toMatchObject({ readOnly: false, requestedReadOnly: false })
    expect(
      await ok(s, 'execute', {
        type: 'example#ExampleAggregateRoot',
        expectedVersion: -1,
        commands: [{ name: 'create', params: { foo: 'now allowed' } }],
      }),
    ).toMatchObject({ version: 0 })
  })

  test('EVENTSCOPE_READ_ONLY=1 locks every connection of the run read-only, whatever is asked', async () => {
    const settings = settingsFor('locked')
    const id = await writeOne(settings, KEY_A)
    const s = new ExplorerService({
      cipherKey: KEY_A,
      snapshotPeriod: 2,
      env: { EVENTSCOPE_READ_ONLY: '1' },
      emit: () => {},
    })
    services.push(s)
    const info = await ok(s, 'connect', { ...settings, readOnly: false })
    expect(info).toMatchObject({ readOnly: true, requestedReadOnly: false, readOnlyLocked: true })
    expect(info.readOnlyReason).toMatch(/EVENTSCOPE_READ_ONLY=1/)
    await expectEveryWriteRefused(s, id, 'read-only')
    expect((await ok(s, 'getAggregate', { id })).state).toMatchObject({ _foo: 'v2' })
  })

  test('no key, a wrong key, a key for a plain store: read-only until the key is fixed', async () => {
    const encrypted = settingsFor('encrypted')
    const id = await writeOne(encrypted, KEY_A)
    for (const [key, state] of [
      [KEY_B, 'wrong-key'],
      [undefined, 'missing-key'],
    ] as const) {
      const s = service(key)
      const info = await ok(s, 'connect', encrypted)
      expect(info).toMatchObject({ readOnly: true, requestedReadOnly: false })
      expect(info.keyStatus).toMatchObject({ state, mismatch: true })
      expect(info.readOnlyReason).toContain(info.keyStatus!.message)
      await expectEveryWriteRefused(s, id, state)
      // The right key: writable at once, on the same connection.
      const fixed = await ok(s, 'setCipherKey', {
        keyBase64: Buffer.from(KEY_A).toString('base64'),
        remember: false,
      })
      expect(fixed).toMatchObject({ readOnly: false, keyStatus: { state: 'verified' } })
      expect(fixed.readOnlyReason).toBeUndefined()
      await ok(s, 'seedDemoData', { aggregates: 1, events: 2, taskId: `seed-${state}` })
      await s.close()
    }

    const plain = settingsFor('plain')
    const plainId = await writeOne(plain, undefined)
    const s = service(KEY_A)
    const info = await ok(s, 'connect', plain)
    expect(info.keyStatus).toMatchObject({ state: 'unexpected-key', mismatch: true })
    await expectEveryWriteRefused(s, plainId, 'unexpected-key')
    const forgotten = await ok(s, 'forgetCipherKey', {})
    // forgetCipherKey falls back to the environment's key: this service was given KEY_A as that.
    expect(forgotten.keyStatus).toMatchObject({ state: 'unexpected-key' })
  })
}

test('every contract method says whether it writes', () => {
  // Checked by the type checker (npm run typecheck): a method without `access` is refused.
  const withoutAccess = {
    // @ts-expect-error `access` is required on every method definition
    newMethod: { request: methods.getConnection.request, response: methods.getConnection.response },
  } satisfies Record<string, MethodDefinition>
  expect(Object.keys(withoutAccess)).toEqual(['newMethod'])
  for (const name of methodNames) expect(['read', 'write']).toContain(methods[name].access)
  expect(writeMethodNames).toEqual(expect.arrayContaining(['execute', 'seedDemoData']))
  expect(writeMethodNames).not.toContain('setCipherKey')
})

describe('access on SQLite', () => {
  accessSuite((name) => ({
    kind: 'sqlite',
    path: join(folder, `${name}-${randomBytes(4).toString('hex')}.sqlite`),
  }))
})

await describeWithCassandra('access on Cassandra', () => {
  // One keyspace per test store: a key check belongs to the whole keyspace.
  const keyspaces = new Set<string>()
  afterAll(async () => {
    for (const keyspace of keyspaces) await dropCassandraTestKeyspace(keyspace)
  }, 120_000)
  accessSuite((name) => {
    const c = cassandraTestSettings()
    const keyspace = `${c.keyspace}_${name.replace(/-/g, '_')}`
    keyspaces.add(keyspace)
    return {
      kind: 'cassandra',
      contactPoints: [...c.contactPoints],
      localDataCenter: c.localDataCenter,
      keyspace,
      tls: false,
    }
  })
})
