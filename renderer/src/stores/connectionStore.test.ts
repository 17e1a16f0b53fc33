// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ExplorerError, type ConnectionSettings } from '../../../shared/contract'
import { setApi } from '../api'
import { connectionInfo, createFakeApi, type FakeApi } from '../testing/fakeApi'
import { useConnectionStore } from './connectionStore'

const store = () => useConnectionStore.getState()
let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
  setApi(api)
  store().reset()
})
afterEach(() => {
  setApi(null)
})

describe('connectionStore', () => {
  it('loads what the main process reports', async () => {
    api.getConnection.mockResolvedValue(connectionInfo())
    await store().load()
    expect(store().phase).toBe('ready')
    expect(store().info?.description).toBe('SQLite: /tmp/test.sqlite')
    expect(store().error).toBeNull()
  })

  it('reports an unreachable service, and Retry asks again', async () => {
    api.getConnection.mockRejectedValueOnce(new Error('socket closed'))
    await store().load()
    expect(store().phase).toBe('error')
    expect(store().error).toEqual({ code: 'TransportError', message: 'socket closed' })

    api.getConnection.mockResolvedValueOnce(connectionInfo())
    await store().retry()
    expect(api.getConnection).toHaveBeenCalledTimes(2)
    expect(store().phase).toBe('ready')
    expect(store().error).toBeNull()
  })

  it('keeps a failed connect typed, and Retry repeats the same settings', async () => {
    const settings: ConnectionSettings = {
      kind: 'cassandra',
      contactPoints: ['10.0.0.1:9042'],
      localDataCenter: 'dc1',
      keyspace: 'es',
      tls: false,
    }
    api.connect.mockRejectedValueOnce(
      new ExplorerError({ code: 'StoreUnavailable', message: 'no host reachable' }),
    )
    expect(await store().connect(settings)).toBe(false)
    expect(store().error).toMatchObject({ code: 'StoreUnavailable', message: 'no host reachable' })

    api.connect.mockResolvedValueOnce(
      connectionInfo({ kind: 'cassandra', description: 'Cassandra: es' }),
    )
    await store().retry()
    expect(api.connect).toHaveBeenLastCalledWith(settings)
    expect(store().info?.kind).toBe('cassandra')
    expect(store().phase).toBe('ready')
  })

  it('treats a "disconnected" answer with an error as a failure', async () => {
    api.connect.mockResolvedValue(
      connectionInfo({ status: 'disconnected', error: 'file is locked' }),
    )
    expect(await store().connect({ kind: 'sqlite' })).toBe(false)
    expect(store().phase).toBe('error')
    expect(store().error?.message).toBe('file is locked')
  })

  it('closes the connection screen after a successful connect', async () => {
    store().openScreen()
    api.connect.mockResolvedValue(connectionInfo({ kind: 'memory', description: 'Memory' }))
    await store().connect({ kind: 'memory' })
    expect(store().screenOpen).toBe(false)
  })

  it('reset() returns to the initial state', () => {
    store().setTransport('open')
    store().noteChanges(3)
    expect(store().changeCount).toBe(3)
    store().reset()
    expect(store()).toMatchObject({
      info: null,
      phase: 'idle',
      changeCount: 0,
      transport: 'connecting',
    })
  })

  it('sends an entered key once (trimmed), keeps the new info, and never holds the key', async () => {
    const key = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i * 7)))
    api.setCipherKey.mockResolvedValue(
      connectionInfo({
        keySource: 'entered',
        encryptionNote: 'AES-256-GCM with the key you entered',
      }),
    )

    expect(await store().setCipherKey(`  ${key}\n`, false)).toBe(true)

    expect(api.setCipherKey).toHaveBeenCalledWith({ keyBase64: key, remember: false })
    expect(store().info?.keySource).toBe('entered')
    expect(store()).toMatchObject({ keyBusy: false, keyError: null })
    expect(JSON.stringify(store())).not.toContain(key)
  })

  it('keeps a refused key typed in keyError, and forget reports the new source', async () => {
    api.setCipherKey.mockRejectedValueOnce(
      new ExplorerError({ code: 'ValidationError', message: 'invalid setCipherKey request' }),
    )
    expect(await store().setCipherKey('short', true)).toBe(false)
    expect(store().keyError).toMatchObject({ code: 'ValidationError' })
    expect(store().keyBusy).toBe(false)

    api.forgetCipherKey.mockResolvedValue(connectionInfo({ keySource: 'none', encrypted: false }))
    expect(await store().forgetCipherKey()).toBe(true)
    expect(api.forgetCipherKey).toHaveBeenCalledWith({})
    expect(store().info).toMatchObject({ keySource: 'none', encrypted: false })
    expect(store().keyError).toBeNull()
  })
})
