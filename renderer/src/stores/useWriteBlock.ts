import type { ConnectionInfo } from '../../../shared/contract'
import { useConnectionInfo } from '../queries/connection'

/** The id of the notice that explains disabled write controls (one per screen). */
export const WRITE_BLOCK_NOTICE_ID = 'write-block-notice'

/**
 * Said of a Python store instead of the server's "reconnect without Read-only": Eventscope never
 * writes to one, whatever the connection screen says, so that advice cannot help.
 */
export const PYTHON_READ_ONLY_REASON =
  'Python eventsourcing stores are opened read-only: Eventscope reads the events the Python application wrote and never writes any.'

/** Whether this connection reads a Python eventsourcing store (python-sqlite, python-postgres). */
export function isPythonStore(info: Pick<ConnectionInfo, 'kind'> | null): boolean {
  return info?.kind === 'python-sqlite' || info?.kind === 'python-postgres'
}

/** Whether the connected store is a Python one: Eventscope's own features do not apply there. */
export function usePythonStore(): boolean {
  const info = useConnectionInfo()
  return info?.status === 'connected' && isPythonStore(info)
}

/**
 * Why writing is refused on the current connection (read-only on purpose, or a cipher key that
 * does not match the store), in the server's words; null when writing is allowed. The server
 * refuses the writes all the same: this only keeps the UI from offering them.
 */
export function useWriteBlock(): string | null {
  const info = useConnectionInfo()
  if (info?.status !== 'connected') return null
  // Always read-only, whatever the server's flag says.
  if (isPythonStore(info)) return PYTHON_READ_ONLY_REASON
  return info.readOnly ? (info.readOnlyReason ?? 'the connection is read-only') : null
}
