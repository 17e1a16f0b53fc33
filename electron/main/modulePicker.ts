/**
 * The desktop app's "Load module…": the main process shows the system file dialog and grants
 * the chosen file to the service's modules (modules.ts), so that `loadAggregateModule` may then
 * import it. As for SQLite files (filePicker.ts), the renderer cannot grant a path by naming it:
 * only the user's choice in the dialog does. No `electron` import (types are structural).
 */
import { PICK_AGGREGATE_MODULE_CHANNEL } from './channels'
import type { InvokeEvent, IpcMainLike } from './ipc'

const FILTERS = [
  { name: 'JavaScript modules', extensions: ['mjs', 'js'] },
  { name: 'All files', extensions: ['*'] },
]

/** The part of Electron's `dialog` used here. */
export interface ModuleDialogLike<W> {
  showOpenDialog(
    window: W,
    options: { title: string; properties: Array<'openFile'>; filters: typeof FILTERS },
  ): Promise<{ canceled: boolean; filePaths: string[] }>
}

/** Where a picked module is granted (the service's AggregateModules). */
export interface ModuleGrants {
  grant(path: string): string
}

export interface ModulePickerDeps<W> {
  ipcMain: IpcMainLike
  dialog: ModuleDialogLike<W>
  /** Why a sender is refused (createSenderCheck in ipc.ts), or undefined. */
  senderProblem: (event: InvokeEvent) => string | undefined
  windowOf: (event: InvokeEvent) => W | undefined
  modules: ModuleGrants
  log?: (message: string) => void
}

/** Shows the dialog; the chosen module is granted and its absolute path returned, or null. */
export async function pickAggregateModule<W>(
  dialog: ModuleDialogLike<W>,
  window: W,
  modules: ModuleGrants,
): Promise<string | null> {
  const result = await dialog.showOpenDialog(window, {
    title: 'Load a module of aggregate types',
    properties: ['openFile'],
    filters: FILTERS,
  })
  const chosen = result.canceled ? undefined : result.filePaths[0]
  return chosen ? modules.grant(chosen) : null
}

/** Registers the picker on its channel; returns the function that removes it. */
export function registerModulePicker<W>(deps: ModulePickerDeps<W>): () => void {
  const log = deps.log ?? ((message: string) => console.warn(message))
  deps.ipcMain.handle(PICK_AGGREGATE_MODULE_CHANNEL, async (event) => {
    const problem = deps.senderProblem(event)
    if (problem) {
      log(`eventscope: refused the module dialog: ${problem}`)
      throw new Error('the sender of this request is not trusted')
    }
    const window = deps.windowOf(event)
    if (window === undefined) throw new Error('no window to show the dialog on')
    return pickAggregateModule(deps.dialog, window, deps.modules)
  })
  return () => deps.ipcMain.removeHandler(PICK_AGGREGATE_MODULE_CHANNEL)
}
