import { useConnectionInfo } from '../queries/connection'

/** The id of the notice that explains disabled write controls (one per screen). */
export const WRITE_BLOCK_NOTICE_ID = 'write-block-notice'

/**
 * Why writing is refused on the current connection (read-only on purpose, or a cipher key that
 * does not match the store), in the server's words; null when writing is allowed. The server
 * refuses the writes all the same: this only keeps the UI from offering them.
 */
export function useWriteBlock(): string | null {
  const info = useConnectionInfo()
  return info?.status === 'connected' && info.readOnly
    ? (info.readOnlyReason ?? 'the connection is read-only')
    : null
}
