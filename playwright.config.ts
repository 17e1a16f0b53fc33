/**
 * End-to-end tests, on a fresh store per run: SQLite by default, Cassandra with
 * E2E_STORE=cassandra (the same specs run against both).
 *   - project `chromium`: the UI specs in Chromium through browser mode (`electron/serve/cli.ts`),
 *     in Debian's /usr/bin/chromium or else Playwright's own (scripts/browser.mjs);
 *   - project `electron`: the same UI specs against the built desktop app (`npx electron-vite
 *     build` first), plus the shell's security specs (e2e/electron.spec.ts). Where no Electron
 *     binary exists (ELECTRON_SKIP_BINARY_DOWNLOAD) every test of it skips and says so.
 * e2e/fixtures.ts picks the shell from the project's `target`.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, defineConfig, devices } from '@playwright/test'
import type { TargetOptions } from './e2e/fixtures'
import { CIPHER_KEY } from './e2e/runKey'
import { findBrowser } from './scripts/browser.mjs'

const PORT = Number(process.env['E2E_PORT'] ?? 4317)
/** Fixed for the run, so that baseURL and the cookie below can carry it. */
const TOKEN = 'e2e-token-not-a-secret-0123456789'

const store = (process.env['E2E_STORE'] ?? 'sqlite').trim().toLowerCase()
if (store !== 'sqlite' && store !== 'cassandra')
  throw new Error(`E2E_STORE must be sqlite or cassandra, not '${store}'`)

// The config is evaluated by the runner and again by each worker; set the run's fresh
// locations once, in the runner, and let workers inherit them through the environment.
process.env['E2E_RUN_ID'] ??= `${Date.now().toString(36)}${process.pid.toString(36)}`
process.env['E2E_DATA_DIR'] ??= mkdtempSync(join(tmpdir(), 'eventscope-e2e-'))
const runId = process.env['E2E_RUN_ID']
const dataDir = process.env['E2E_DATA_DIR']

const storeEnv: Record<string, string> =
  store === 'cassandra'
    ? {
        EVENTSCOPE_STORE: 'cassandra',
        CASSANDRA_KEYSPACE: `e2e_${runId}`.slice(0, 48),
        ...(process.env['CASSANDRA_CONTACT_POINTS']
          ? { CASSANDRA_CONTACT_POINTS: process.env['CASSANDRA_CONTACT_POINTS'] }
          : {}),
      }
    : { EVENTSCOPE_STORE: 'sqlite', EVENTSCOPE_SQLITE_PATH: join(dataDir, 'e2e.sqlite') }

/** Debian's chromium, else Playwright's own; undefined leaves Playwright to say what is missing. */
const browser = findBrowser({
  override: process.env['EVENTSCOPE_E2E_BROWSER'],
  playwrightChromium: chromium.executablePath(),
})

const inherited = Object.fromEntries(
  Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
)

export default defineConfig<TargetOptions>({
  testDir: 'e2e',
  globalTeardown: './e2e/globalTeardown.ts',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  outputDir: 'test-results/playwright',
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/?token=${TOKEN}`,
    // The cookie the first page load would set, so `page.goto('/')` works in every test too.
    storageState: {
      cookies: [
        {
          name: `eventscope_token_${PORT}`,
          value: TOKEN,
          domain: '127.0.0.1',
          path: '/',
          expires: -1,
          httpOnly: true,
          secure: false,
          sameSite: 'Strict',
        },
      ],
      origins: [],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    // What the electron project launches the app with (SQLite: a fresh file per test).
    appEnv: { ...storeEnv, EVENTSCOPE_CIPHER_KEY: CIPHER_KEY },
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: /electron\.spec\.ts$/,
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: browser,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
    {
      name: 'electron',
      testMatch: /(electron|core|batch-and-conflict)\.spec\.ts$/,
      use: { target: 'electron' },
    },
  ],
  webServer: {
    command: 'npx tsx --tsconfig tsconfig.node.json electron/serve/cli.ts',
    url: `http://127.0.0.1:${PORT}/?token=${TOKEN}`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    env: {
      ...inherited,
      PORT: String(PORT),
      EVENTSCOPE_TOKEN: TOKEN,
      EVENTSCOPE_DATA_DIR: dataDir,
      EVENTSCOPE_CIPHER_KEY: CIPHER_KEY,
      ...storeEnv,
    },
  },
})
