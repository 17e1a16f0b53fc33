/**
 * The desktop app's main process: one instance, one window, one ExplorerService wired to IPC.
 * Settings come from the environment (README, "Settings"); the connection screen can change the
 * store later through the contract's `connect`.
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, dialog, ipcMain, safeStorage, session } from 'electron'
import type { EventName, EventOf } from '../../shared/contract'
import { ExplorerService } from '../explorer/service'
import { SETTINGS } from '../../shared/settings'
import { readSetting, settingsFromEnv } from '../explorer/settings'
import {
  createSqlitePathPolicy,
  grantConfiguredFile,
  parseAllowedPaths,
  type SqlitePathPolicy,
} from '../explorer/sqlitePathPolicy'
import type { IpcRegistration } from './ipc'
import { desktopKeyOptions } from './keyWiring'
import { registerMainChannels } from './mainChannels'
import { createRendererUrlCheck, rendererDevServerUrl } from './rendererOrigin'
import {
  createMainWindow,
  hardenSession,
  hardenWebContents,
  registerAppScheme,
  serveRenderer,
} from './window'

const here = dirname(fileURLToPath(import.meta.url))
const devServerUrl = rendererDevServerUrl(app.isPackaged, process.env)
const isRendererUrl = createRendererUrlCheck(devServerUrl)

// Before `ready`, as Electron requires.
registerAppScheme()
// A throwaway profile for automated tests (e2e/electron.spec.ts), never the user's own.
const userDataOverride = readSetting(process.env, 'userDataDir')
if (userDataOverride) app.setPath('userData', userDataOverride)

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  start()
}

function start(): void {
  let service: ExplorerService | undefined
  let ipc: IpcRegistration | undefined
  let closing: Promise<unknown> | undefined

  // Every webContents, not only our window's: a popup or webview that slipped through gets the same rules.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents))

  app.on('second-instance', () => {
    const window = BrowserWindow.getAllWindows()[0]
    if (!window) return openWindow()
    if (window.isMinimized()) window.restore()
    window.focus()
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) openWindow()
  })

  // Close the store (flush SQLite, end Cassandra sessions) before the process goes.
  app.on('will-quit', (event) => {
    if (!service || closing) return
    event.preventDefault()
    closing = service
      .close()
      .catch((error: unknown) => console.error('eventscope: closing the store failed:', error))
      .finally(() => {
        ipc?.dispose()
        app.quit()
      })
  })

  void app.whenReady().then(async () => {
    const dataDir = app.getPath('userData')
    // The app's own folder (Chromium makes it 0700 already): private to the user.
    await mkdir(dataDir, { recursive: true, mode: 0o700 })
    const env = process.env
    // Files outside the data folder are opened only when picked in the system dialog (Browse…),
    // named by EVENTSCOPE_SQLITE_PATH, or under EVENTSCOPE_ALLOWED_PATHS.
    const sqlitePathPolicy = createSqlitePathPolicy({
      restrict: true,
      dataDir,
      allowedDirectories: parseAllowedPaths(readSetting(env, 'allowedPaths')),
      outsideHint: 'pick the file with Browse… or New file…',
    })
    service = new ExplorerService({
      dataDir,
      env,
      sqlitePathPolicy,
      ...(await desktopKeyOptions({ dataDir, env, safeStorage })),
      emit: <E extends EventName>(event: E, payload: EventOf<E>) => ipc?.emit(event, payload),
    })
    ipc = registerMainChannels<BrowserWindow>({
      ipcMain,
      dialog,
      getWindows: () => BrowserWindow.getAllWindows(),
      devServerUrl,
      handlers: service,
      modules: service.modules,
      sqlitePathPolicy,
    })
    hardenSession(session.defaultSession, isRendererUrl)
    if (!devServerUrl) serveRenderer(session.defaultSession, join(here, '../renderer'))
    openWindow()
    await connectFromEnv(service, env, dataDir, sqlitePathPolicy)
  })
}

function openWindow(): void {
  createMainWindow({ preloadPath: preloadPath(), devServerUrl })
}

/** A sandboxed preload must be a classic script (CommonJS), whatever package.json's "type" says. */
function preloadPath(): string {
  const candidates = ['index.cjs', 'index.js'].map((name) => join(here, '../preload', name))
  const found = candidates.find((path) => existsSync(path))
  if (!found) {
    console.error(
      'eventscope: no CommonJS preload in out/preload (index.cjs or index.js); a sandboxed preload cannot be ESM. ' +
        "Set preload build.rollupOptions.output.format to 'cjs' in electron.vite.config.ts.",
    )
  }
  return found ?? join(here, '../preload/index.mjs')
}

async function connectFromEnv(
  service: ExplorerService,
  env: NodeJS.ProcessEnv,
  dataDir: string,
  sqlitePathPolicy: SqlitePathPolicy,
): Promise<void> {
  try {
    // Only the store is read here; a bad cipher key or snapshot period is the service's to
    // report, so that the connection screen shows it instead of a bare "disconnected".
    const {
      [SETTINGS.cipherKey.env]: _key,
      [SETTINGS.snapshotPeriod.env]: _period,
      ...storeEnv
    } = env
    const settings = await settingsFromEnv(storeEnv, { dataDir })
    // The environment's file is the user's own choice, like a file picked in the dialog.
    grantConfiguredFile(sqlitePathPolicy, settings.connection)
    await service.connect(settings.connection)
  } catch (error) {
    // The window stays up: the connection screen shows the state and lets the user pick again.
    console.error(
      `eventscope: could not connect with the environment's settings: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
}
