/**
 * `test` and `expect` for the UI specs, so one spec drives either shell:
 *   - project `chromium` (target 'browser'): Chromium on browser mode's server (webServer);
 *   - project `electron` (target 'electron'): the built desktop app, launched per test on a
 *     fresh store, under Xvfb when there is no display; skipped where no binary exists.
 * `page` is the app's window, already showing the explorer; `openWindow()` opens another one on
 * the same store (a second tab, or a second app instance with its own profile).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  test as base,
  expect,
  type Browser,
  type ElectronApplication,
  type Page,
} from '@playwright/test'
import { ELECTRON_MISSING, electronBinary, launchApp, startVirtualDisplay } from './electronApp'

export { expect }

export type Target = 'browser' | 'electron'

/** Set per project in playwright.config.ts. */
export interface TargetOptions {
  target: Target
  /** The store settings the Electron app is launched with (browser mode's server has its own). */
  appEnv: Record<string, string>
}

interface TestFixtures {
  /** Opens one more window on the same store, showing the explorer; closed after the test. */
  openWindow: () => Promise<Page>
  /** How windows are opened for the current target. */
  shell: { open(): Promise<Page> }
  /** Skips every test of the electron project where there is no Electron binary. */
  requireElectron: void
}

interface WorkerFixtures {
  target: Target
  /** Browser mode's Chromium, launched with the project's launchOptions; undefined for Electron. */
  chromium: Browser | undefined
  /** The X display for Electron: the inherited one or a private Xvfb. */
  display: string | undefined
}

/** Waits until the explorer is ready for input (the list's toolbar is there). */
async function explorerShown(page: Page): Promise<Page> {
  await expect(page.getByRole('button', { name: 'New aggregate' })).toBeVisible({
    timeout: 30_000,
  })
  return page
}

export const test = base.extend<TestFixtures & Pick<TargetOptions, 'appEnv'>, WorkerFixtures>({
  target: ['browser', { option: true, scope: 'worker' }],
  appEnv: [{}, { option: true }],

  requireElectron: [
    async ({ target }, use, testInfo) => {
      testInfo.skip(target === 'electron' && !electronBinary(), ELECTRON_MISSING)
      await use()
    },
    { auto: true },
  ],

  // Not Playwright's own `browser`/`context`: those would launch Chromium in the electron
  // project too. Contexts made here still get the config's `use` options, traces and screenshots.
  chromium: [
    async ({ target, playwright, browserName }, use) => {
      if (target !== 'browser') return use(undefined)
      const browser = await playwright[browserName].launch()
      await use(browser)
      await browser.close()
    },
    { scope: 'worker', timeout: 0 },
  ],

  display: [
    async ({ target }, use) => {
      if (target !== 'electron' || !electronBinary()) return use(undefined)
      const xvfb = await startVirtualDisplay()
      await use(xvfb?.display ?? process.env['DISPLAY'])
      xvfb?.stop()
    },
    { scope: 'worker', timeout: 0 },
  ],

  shell: async ({ target, chromium, appEnv, display }, use) => {
    if (target === 'browser') {
      const context = await chromium!.newContext()
      await use({
        async open() {
          const page = await context.newPage()
          await page.goto('/')
          return page
        },
      })
      await context.close()
      return
    }
    // A fresh SQLite file per test (Cassandra: the run's keyspace), shared by its windows.
    const dir = mkdtempSync(join(tmpdir(), 'eventscope-e2e-electron-'))
    const env =
      (appEnv['EVENTSCOPE_STORE'] ?? 'sqlite') === 'sqlite'
        ? { ...appEnv, EVENTSCOPE_SQLITE_PATH: join(dir, 'e2e.sqlite') }
        : appEnv
    const apps: ElectronApplication[] = []
    await use({
      async open() {
        const app = await launchApp({ env, display })
        apps.push(app)
        const window = await app.firstWindow()
        await window.waitForLoadState('domcontentloaded')
        return window
      },
    })
    for (const app of apps.reverse()) await app.close()
    rmSync(dir, { recursive: true, force: true })
  },

  page: async ({ shell }, use) => {
    await use(await explorerShown(await shell.open()))
  },

  openWindow: async ({ shell }, use) => {
    await use(async () => explorerShown(await shell.open()))
  },
})
