/**
 * The desktop app's "Browse…": the renderer asks, the main process shows the system file
 * dialog, and the file the user chose is granted to the SQLite path policy, so that `connect`
 * may open it although it lies outside the data folder. The renderer cannot grant a path by
 * naming it: only the user's choice in the dialog does. No `electron` import (types are
 * structural), so unit tests drive it with fakes.
 */
import { isSqliteFilePickMode, type SqliteFilePickMode } from '../../shared/desktop'
import type { SqlitePathPolicy } from '../explorer/sqlitePathPolicy'
import { PICK_SQLITE_FILE_CHANNEL } from './channels'
import type { InvokeEvent, IpcMainLike } from './ipc'

const FILTERS = [
  { name: 'SQLite databases', extensions: ['sqlite', 'sqlite3', 'db'] },
  { name: 'All files', extensions: ['*'] },
]

/** The parts of Electron's `dialog` used here. */
export interface DialogLike<W> {
  showOpenDialog(
    window: W,
    options: { title: string; properties: Array<'openFile'>; filters: typeof FILTERS },
  ): Promise<{ canceled: boolean; filePaths: string[] }>
  showSaveDialog(
    window: W,
    options: {
      title: string
      defaultPath: string
      buttonLabel: string
      filters: typeof FILTERS
      properties: Array<'createDirectory' | 'showOverwriteConfirmation'>
    },
  ): Promise<{ canceled: boolean; filePath?: string }>
}

export interface FilePickerDeps<W> {
  ipcMain: IpcMainLike
  dialog: DialogLike<W>
  /** Why a sender is refused (createSenderCheck in ipc.ts), or undefined. */
  senderProblem: (event: InvokeEvent) => string | undefined
  /** The window the dialog belongs to (the sender's). */
  windowOf: (event: InvokeEvent) => W | undefined
  policy: SqlitePathPolicy
  log?: (message: string) => void
}

/** Shows the dialog; the chosen file is granted and its canonical path returned, or null. */
export async function pickSqliteFile<W>(
  dialog: DialogLike<W>,
  window: W,
  mode: SqliteFilePickMode,
  policy: SqlitePathPolicy,
): Promise<string | null> {
  let chosen: string | undefined
  if (mode === 'open') {
    const result = await dialog.showOpenDialog(window, {
      title: 'Open a SQLite event store',
      properties: ['openFile'],
      filters: FILTERS,
    })
    chosen = result.canceled ? undefined : result.filePaths[0]
  } else {
    // Creating a new file: an existing one chosen here is opened as it is, never replaced.
    const result = await dialog.showSaveDialog(window, {
      title: 'New SQLite event store',
      defaultPath: 'eventscope.sqlite',
      buttonLabel: 'Create',
      filters: FILTERS,
      properties: ['createDirectory'],
    })
    chosen = result.canceled ? undefined : result.filePath
  }
  if (!chosen) return null
  policy.grant(chosen)
  return policy.check(chosen)
}

/** Registers the picker on its channel; returns the function that removes it. */
export function registerFilePicker<W>(deps: FilePickerDeps<W>): () => void {
  const log = deps.log ?? ((message: string) => console.warn(message))
  deps.ipcMain.handle(PICK_SQLITE_FILE_CHANNEL, async (event, mode) => {
    const problem = deps.senderProblem(event)
    if (problem) {
      log(`eventscope: refused the file dialog: ${problem}`)
      throw new Error('the sender of this request is not trusted')
    }
    if (!isSqliteFilePickMode(mode)) throw new Error("the mode must be 'open' or 'create'")
    const window = deps.windowOf(event)
    if (window === undefined) throw new Error('no window to show the dialog on')
    return pickSqliteFile(deps.dialog, window, mode, deps.policy)
  })
  return () => deps.ipcMain.removeHandler(PICK_SQLITE_FILE_CHANNEL)
}
