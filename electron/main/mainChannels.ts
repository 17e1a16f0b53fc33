/**
 * Every IPC channel the main process answers, registered with one sender check: the contract's
 * methods (ipc.ts) and the desktop shell's two dialogs (filePicker.ts, modulePicker.ts). Only the
 * main frame of one of our windows, on our renderer's origin, is answered on any of them. No
 * `electron` import: index.ts passes Electron's ipcMain, dialog and windows in, and
 * mainChannels.test.ts drives the same wiring with stand-ins.
 */
import type { ExplorerHandlers } from '../../shared/contract'
import type { SqlitePathPolicy } from '../explorer/sqlitePathPolicy'
import { registerFilePicker, type DialogLike } from './filePicker'
import {
  createSenderCheck,
  registerIpc,
  type InvokeEvent,
  type IpcMainLike,
  type IpcRegistration,
  type IpcWindow,
} from './ipc'
import { registerModulePicker, type ModuleDialogLike, type ModuleGrants } from './modulePicker'
import { createRendererUrlCheck } from './rendererOrigin'

export interface MainChannelDeps<W extends IpcWindow> {
  ipcMain: IpcMainLike
  dialog: DialogLike<W> & ModuleDialogLike<W>
  /** Our windows: a sender must be the main frame of one of them. */
  getWindows: () => readonly W[]
  /** The dev server's URL (rendererDevServerUrl), or undefined: then only app://renderer. */
  devServerUrl: string | undefined
  handlers: ExplorerHandlers
  /** Where a module picked in the dialog is granted (the service's modules). */
  modules: ModuleGrants
  /** Where a SQLite file picked in the dialog is granted. */
  sqlitePathPolicy: SqlitePathPolicy
  /** Where refused senders are reported; console.warn by default. */
  log?: (message: string) => void
}

/** Registers every channel; `dispose` removes them all. */
export function registerMainChannels<W extends IpcWindow>(
  deps: MainChannelDeps<W>,
): IpcRegistration {
  const isTrustedSender = createRendererUrlCheck(deps.devServerUrl)
  const senderProblem = createSenderCheck({ getWindows: deps.getWindows, isTrustedSender })
  // The dialog belongs to the window that asked (the sender check has found it among ours).
  const windowOf = (event: InvokeEvent): W | undefined =>
    deps.getWindows().find((w) => w.webContents === event.sender)
  const log = deps.log ? { log: deps.log } : {}
  const ipc = registerIpc({
    ipcMain: deps.ipcMain,
    getWindows: deps.getWindows,
    isTrustedSender,
    handlers: deps.handlers,
    ...log,
  })
  const disposeFilePicker = registerFilePicker({
    ipcMain: deps.ipcMain,
    dialog: deps.dialog,
    senderProblem,
    windowOf,
    policy: deps.sqlitePathPolicy,
    ...log,
  })
  const disposeModulePicker = registerModulePicker({
    ipcMain: deps.ipcMain,
    dialog: deps.dialog,
    senderProblem,
    windowOf,
    modules: deps.modules,
    ...log,
  })
  return {
    emit: (event, payload) => ipc.emit(event, payload),
    dispose() {
      ipc.dispose()
      disposeFilePicker()
      disposeModulePicker()
    },
  }
}
