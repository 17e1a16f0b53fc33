/**
 * The IPC channel names, derived from the contract: the main process and the preload both
 * import them, so no channel string is typed twice. Pure: safe to bundle into the preload.
 */
import type { MethodName } from '../../shared/contract'

/** One `ipcMain.handle` channel per contract method. */
export const methodChannel = <M extends MethodName>(method: M): `eventscope:${M}` =>
  `eventscope:${method}`

/** Pushed events travel on one channel as `(name, payload)`. */
export const EVENT_CHANNEL = 'eventscope:event'

/** The desktop shell's own request (not in the contract): the system file dialog. */
export const PICK_SQLITE_FILE_CHANNEL = 'eventscope:desktop:pickSqliteFile'

/** The desktop shell's own request: the dialog that picks a module of aggregate types. */
export const PICK_AGGREGATE_MODULE_CHANNEL = 'eventscope:desktop:pickAggregateModule'
