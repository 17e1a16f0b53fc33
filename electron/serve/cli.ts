/**
 * `npm run serve`: browser mode. Builds the ExplorerService from the environment, starts the
 * loopback server, and prints one line with the URL (token included); tests parse it.
 * Besides the store's settings (shared/settings.ts describes every one):
 *   PORT                fixed port (default: a free one)
 *   EVENTSCOPE_DATA_DIR where the default SQLite file lives (default: .eventscope/ here)
 *   EVENTSCOPE_TOKEN    fixed token, for automated tests only (default: random per run)
 *   EVENTSCOPE_ALLOWED_PATHS  more folders (separated like PATH) whose SQLite files `connect`
 *                       may open; without it only the data folder's (and EVENTSCOPE_SQLITE_PATH)
 * No key store here: a cipher key entered in the browser (`setCipherKey`) lasts for this run
 * only, and `canRememberKey` is false.
 */
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EventName, EventOf } from '../../shared/contract'
import { browserDataDir, createDataDir } from '../explorer/dataDir'
import { ExplorerService } from '../explorer/service'
import { readSetting, settingsFromEnv } from '../explorer/settings'
import {
  createSqlitePathPolicy,
  grantConfiguredFile,
  parseAllowedPaths,
} from '../explorer/sqlitePathPolicy'
import { startServer, type RunningServer } from './server'

const here = dirname(fileURLToPath(import.meta.url))
/** The built renderer, found from this file so that the working directory doesn't matter. */
const STATIC_DIR = resolve(here, '../../out/renderer')

async function main(): Promise<void> {
  const env = process.env
  const port = readSetting(env, 'port')
  const folder = browserDataDir(env, process.cwd())
  const dataDir = folder.path
  // Private to the user: the database and anything else the app keeps lives here.
  await createDataDir(folder)
  const settings = await settingsFromEnv(env, { dataDir })
  // A page in the browser may name any path: only the data folder, the allow-list and the
  // file the environment names (the operator's own choice) can be opened.
  const sqlitePathPolicy = createSqlitePathPolicy({
    restrict: true,
    dataDir,
    allowedDirectories: parseAllowedPaths(readSetting(env, 'allowedPaths')),
    outsideHint: 'start the server with EVENTSCOPE_ALLOWED_PATHS naming the folder to allow it',
  })
  grantConfiguredFile(sqlitePathPolicy, settings.connection)

  // Events emitted while connecting, before the server exists, have no audience yet.
  const live: { server?: RunningServer } = {}
  const service = new ExplorerService({
    dataDir,
    env,
    sqlitePathPolicy,
    emit: <E extends EventName>(event: E, payload: EventOf<E>) =>
      live.server?.broadcast(event, payload),
  })
  try {
    await service.connect(settings.connection)
  } catch (error) {
    // Serve anyway: the connection screen shows the error and can try other settings.
    console.error(
      `eventscope: could not connect with the environment's settings: ${messageOf(error)}`,
    )
  }

  const token = readSetting(env, 'token')
  const server = await startServer({
    port,
    host: '127.0.0.1',
    handlers: service,
    staticDir: STATIC_DIR,
    ...(token ? { token } : {}),
  })
  live.server = server
  console.log(`Eventscope is running at http://127.0.0.1:${server.port}/?token=${server.token}`)

  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    const timer = setTimeout(() => {
      console.error(`eventscope: shutdown after ${signal} took too long; exiting`)
      process.exit(1)
    }, 10_000)
    timer.unref()
    // Stop taking requests first, then close the store.
    void (async () => {
      await server
        .close()
        .catch((error: unknown) => console.error(`eventscope: ${messageOf(error)}`))
      await Promise.resolve(service.close()).catch((error: unknown) =>
        console.error(`eventscope: ${messageOf(error)}`),
      )
      process.exit(0)
    })()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

main().catch((error: unknown) => {
  console.error(`eventscope: ${messageOf(error)}`)
  process.exit(1)
})
