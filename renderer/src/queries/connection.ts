/**
 * What the service reports about its connection to the event store (ConnectionInfo), as one
 * query under `keys.connection()`. It is read once at start, then kept current by what changes
 * it: the answers to connect and the cipher-key calls, and the pushed `connection`
 * events (queries/serverEvents.ts). A transport that comes back refetches it.
 */
import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query'
import type { ConnectionInfo, ConnectionSettings, ExplorerApi } from '../../../shared/contract'
import { ExplorerError } from '../../../shared/contractBasics'
import { useApi } from '../service'
import { useConnectionStore } from '../stores/connectionStore'
import { useAction, type Action } from '../ui/useAction'
import { keys } from './keys'

export function connectionOptions(api: ExplorerApi) {
  return queryOptions({
    queryKey: keys.connection(),
    queryFn: () => api.getConnection({}),
    // Never stale by time: every change reaches it as an answer or a pushed event.
    staleTime: Infinity,
  })
}

export interface Connection {
  /** Null until the first answer (or when it failed). */
  info: ConnectionInfo | null
  /** No answer yet, and none failed. */
  pending: boolean
  /** Being read (the first time, a Retry, or after the transport came back). */
  fetching: boolean
  /** Why reading it failed (the service could not be asked). */
  error: unknown
  refetch(): void
}

export function useConnection(): Connection {
  const query = useQuery(connectionOptions(useApi()))
  const { refetch } = query
  return {
    info: query.data ?? null,
    pending: query.isPending,
    fetching: query.isFetching,
    error: query.error ?? undefined,
    refetch: () => void refetch(),
  }
}

export function useConnectionInfo(): ConnectionInfo | null {
  return useConnection().info
}

/** Whether the explorer (rather than the connection screen) can be shown. */
export function isConnected(info: ConnectionInfo | null): boolean {
  return info?.status === 'connected'
}

/** The service's own failure, as one to show (a store it could not open, a key check). */
export function reportedError(info: ConnectionInfo | null): ExplorerError | undefined {
  return info?.error
    ? new ExplorerError({ code: 'StoreUnavailable', message: info.error })
    : undefined
}

/**
 * Connects to a store. The answer becomes the connection query's data whatever it says; one
 * that is not `connected` is a failure. A cipher key that does not match the store keeps the
 * connection screen open: it says what is wrong and how to fix it.
 */
export function useConnect(): Action<[ConnectionSettings], ConnectionInfo> {
  const api = useApi()
  const client = useQueryClient()
  return useAction(async (settings: ConnectionSettings) => {
    const ui = useConnectionStore.getState()
    // The server pushes the new connection to every page, this one too: marked as our own.
    ui.beginOwnConnect()
    let info: ConnectionInfo
    try {
      info = await api.connect(settings)
      client.setQueryData(keys.connection(), info)
    } finally {
      ui.endOwnConnect()
    }
    if (info.status !== 'connected')
      throw new ExplorerError({
        code: 'StoreUnavailable',
        message: info.error ?? 'the store did not accept the connection',
      })
    const screen = useConnectionStore.getState()
    if (info.keyStatus?.mismatch === true) screen.openScreen()
    else screen.closeScreen()
    return info
  })
}

export type CipherKeyChange =
  { kind: 'set'; keyBase64: string; remember: boolean } | { kind: 'forget' }

/**
 * Sends a cipher key to the main process once (it is never sent back, and not kept here: see
 * useAction), or forgets the saved one; the answer is the new connection info.
 */
export function useCipherKeyChange(): Action<[CipherKeyChange], ConnectionInfo> {
  const api = useApi()
  const client = useQueryClient()
  return useAction(async (change: CipherKeyChange) => {
    const info =
      change.kind === 'set'
        ? await api.setCipherKey({ keyBase64: change.keyBase64.trim(), remember: change.remember })
        : await api.forgetCipherKey({})
    client.setQueryData(keys.connection(), info)
    return info
  })
}
