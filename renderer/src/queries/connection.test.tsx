// @vitest-environment jsdom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ExplorerError, type ConnectionSettings } from '../../../shared/contract'
import { useConnectionStore } from '../stores/connectionStore'
import { connectionInfo, createFakeApi, type FakeApi } from '../testing/fakeApi'
import { TestProviders, fakeService } from '../testing/render'
import { toUiError } from '../ui/errors'
import { createQueryClient } from './client'
import { useCipherKeyChange, useConnect, useConnection } from './connection'
import { keys } from './keys'

let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
  useConnectionStore.getState().reset()
})
afterEach(() => cleanup())

/** The three connection hooks over one query cache and the fake API. */
function renderConnection() {
  const client = createQueryClient()
  const wrapper = ({ children }: { children: ReactNode }) => (
    <TestProviders service={fakeService(api)} client={client}>
      {children}
    </TestProviders>
  )
  const hook = renderHook(
    () => ({ connection: useConnection(), connect: useConnect(), key: useCipherKeyChange() }),
    { wrapper },
  )
  return { ...hook, client }
}

describe('the connection query', () => {
  it('reads what the main process reports, once', async () => {
    api.getConnection.mockResolvedValue(connectionInfo())
    const { result } = renderConnection()
    expect(result.current.connection.pending).toBe(true)
    await waitFor(() =>
      expect(result.current.connection.info?.description).toBe('SQLite: /tmp/test.sqlite'),
    )
    await waitFor(() => expect(result.current.connection.error).toBeUndefined())
    expect(api.getConnection).toHaveBeenCalledTimes(1)
  })

  it('reports an unreachable service, and a refetch (Retry) asks again', async () => {
    api.getConnection.mockRejectedValueOnce(new Error('socket closed'))
    const { result } = renderConnection()
    await waitFor(() => expect(result.current.connection.error).toBeDefined())
    await waitFor(() =>
      expect(toUiError(result.current.connection.error)).toEqual({
        code: 'TransportError',
        message: 'socket closed',
      }),
    )

    api.getConnection.mockResolvedValueOnce(connectionInfo())
    act(() => result.current.connection.refetch())
    await waitFor(() => expect(result.current.connection.info).not.toBeNull())
    expect(api.getConnection).toHaveBeenCalledTimes(2)
    await waitFor(() => expect(result.current.connection.error).toBeUndefined())
  })
})

describe('connect', () => {
  const settings: ConnectionSettings = {
    kind: 'cassandra',
    contactPoints: ['10.0.0.1:9042'],
    localDataCenter: 'dc1',
    keyspace: 'es',
    tls: false,
  }

  it('keeps a failed connect typed, and the answer of the next becomes the connection', async () => {
    api.getConnection.mockResolvedValue(connectionInfo())
    api.connect.mockRejectedValueOnce(
      new ExplorerError({ code: 'StoreUnavailable', message: 'no host reachable' }),
    )
    const { result, client } = renderConnection()
    await act(async () => void (await result.current.connect.run(settings)))
    await waitFor(() =>
      expect(toUiError(result.current.connect.error)).toMatchObject({
        code: 'StoreUnavailable',
        message: 'no host reachable',
      }),
    )

    api.connect.mockResolvedValueOnce(
      connectionInfo({ kind: 'cassandra', description: 'Cassandra: es' }),
    )
    await act(async () => void (await result.current.connect.run(settings)))
    expect(api.connect).toHaveBeenLastCalledWith(settings)
    await waitFor(() => expect(result.current.connect.error).toBeUndefined())
    expect(client.getQueryData(keys.connection())).toMatchObject({ kind: 'cassandra' })
  })

  it('treats a "disconnected" answer as a failure, and shows that answer', async () => {
    api.getConnection.mockResolvedValue(connectionInfo())
    api.connect.mockResolvedValue(
      connectionInfo({ status: 'disconnected', error: 'file is locked' }),
    )
    const { result } = renderConnection()
    let ok = true
    await act(async () => void (ok = (await result.current.connect.run({ kind: 'sqlite' })).ok))
    expect(ok).toBe(false)
    await waitFor(() =>
      expect(toUiError(result.current.connect.error).message).toBe('file is locked'),
    )
    await waitFor(() => expect(result.current.connection.info?.status).toBe('disconnected'))
  })

  it('closes the connection screen after a successful connect, and keeps it open on a key mismatch', async () => {
    api.getConnection.mockResolvedValue(connectionInfo())
    useConnectionStore.getState().openScreen()
    api.connect.mockResolvedValueOnce(connectionInfo({ kind: 'memory', description: 'Memory' }))
    const { result } = renderConnection()
    await act(async () => void (await result.current.connect.run({ kind: 'memory' })))
    expect(useConnectionStore.getState().screenOpen).toBe(false)

    api.connect.mockResolvedValueOnce(
      connectionInfo({
        keyStatus: {
          state: 'wrong-key',
          basis: 'check-record',
          mismatch: true,
          message: 'the key does not match',
        },
      }),
    )
    await act(async () => void (await result.current.connect.run({ kind: 'sqlite' })))
    expect(useConnectionStore.getState().screenOpen).toBe(true)
  })
})

describe('the cipher key', () => {
  it('sends an entered key once (trimmed), keeps the new info, and holds the key nowhere', async () => {
    api.getConnection.mockResolvedValue(connectionInfo())
    const key = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i * 7)))
    api.setCipherKey.mockResolvedValue(
      connectionInfo({
        keySource: 'entered',
        encryptionNote: 'AES-256-GCM with the key you entered',
      }),
    )
    const { result, client } = renderConnection()
    await act(
      async () =>
        void (await result.current.key.run({
          kind: 'set',
          keyBase64: `  ${key}\n`,
          remember: false,
        })),
    )

    expect(api.setCipherKey).toHaveBeenCalledWith({ keyBase64: key, remember: false })
    await waitFor(() => expect(result.current.connection.info?.keySource).toBe('entered'))
    await waitFor(() => expect(result.current.key).toMatchObject({ busy: false, error: undefined }))
    // Neither the query cache nor the mutation cache (its variables) kept it.
    const cached = [
      ...client
        .getQueryCache()
        .getAll()
        .map((query) => query.state),
      ...client
        .getMutationCache()
        .getAll()
        .map((mutation) => mutation.state),
    ]
    expect(JSON.stringify(cached)).not.toContain(key)
  })

  it('keeps a refused key typed as the error, and forget reports the new source', async () => {
    api.getConnection.mockResolvedValue(connectionInfo())
    api.setCipherKey.mockRejectedValueOnce(
      new ExplorerError({ code: 'ValidationError', message: 'invalid setCipherKey request' }),
    )
    const { result } = renderConnection()
    await act(
      async () =>
        void (await result.current.key.run({ kind: 'set', keyBase64: 'short', remember: true })),
    )
    await waitFor(() =>
      expect(toUiError(result.current.key.error)).toMatchObject({ code: 'ValidationError' }),
    )
    await waitFor(() => expect(result.current.key.busy).toBe(false))

    api.forgetCipherKey.mockResolvedValue(connectionInfo({ keySource: 'none', encrypted: false }))
    await act(async () => void (await result.current.key.run({ kind: 'forget' })))
    expect(api.forgetCipherKey).toHaveBeenCalledWith({})
    await waitFor(() =>
      expect(result.current.connection.info).toMatchObject({ keySource: 'none', encrypted: false }),
    )
    await waitFor(() => expect(result.current.key.error).toBeUndefined())
  })
})

describe('the connection UI store', () => {
  it('counts pushed batches for the live dot, and reset() returns to the start', () => {
    const store = useConnectionStore.getState()
    store.noteChanges(3)
    store.noteChanges(0)
    expect(useConnectionStore.getState().changeCount).toBe(3)
    expect(useConnectionStore.getState().lastChangeAt).not.toBeNull()
    store.reset()
    expect(useConnectionStore.getState()).toMatchObject({
      screenOpen: false,
      changeCount: 0,
      lastChangeAt: null,
    })
  })
})
