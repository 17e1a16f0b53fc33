/**
 * The desktop shell, end to end: the built app (`npm run build`) launched by Playwright's
 * Electron driver, proving the security settings a user relies on (sandboxed renderer, only
 * the contract exposed, navigation and popups denied) and that the contract works over IPC.
 * Needs the Electron binary; on Linux without a display it starts its own Xvfb
 * (e2e/electronApp.ts). The UI specs run against the app too, in the `electron` project.
 */
import { expect, test, type ElectronApplication, type Page } from '@playwright/test'
import {
  ELECTRON_MISSING,
  electronBinary,
  launchApp,
  startVirtualDisplay,
  type VirtualDisplay,
} from './electronApp'

test.skip(!electronBinary(), ELECTRON_MISSING)

/**
 * The page's globals as the callbacks below use them. e2e/ is typechecked with the Node
 * tsconfig (no DOM lib), and page.evaluate callbacks run in the page, so they name their globals
 * through this type rather than through DOM declarations.
 */
interface PageGlobals {
  eventscope?: { invoke(method: string, payload: unknown): Promise<unknown> }
  eventscopeDesktop?: {
    pickSqliteFile(mode: string): Promise<string | null>
    pickAggregateModule(): Promise<string | null>
  }
  location: { href: string }
  /** Set by a test, to tell this document from one loaded after it. */
  eventscopeMark?: string
  open(url: string): unknown
  eval(code: string): unknown
  fetch(url: string): Promise<{ headers: { get(name: string): string | null } }>
  navigator: { permissions: { query(descriptor: { name: string }): Promise<{ state: string }> } }
  require?: unknown
  process?: unknown
}

/** The main process's globals a test sets through app.evaluate. */
interface MainGlobals {
  navigationAttempts?: string[]
}

let xvfb: VirtualDisplay | undefined
let app: ElectronApplication
let page: Page

test.beforeAll(async () => {
  xvfb = await startVirtualDisplay()
  app = await launchApp({ env: { EVENTSCOPE_STORE: 'memory' }, display: xvfb?.display })
  page = await app.firstWindow()
  await page.waitForLoadState('domcontentloaded')
})

test.afterAll(async () => {
  await app?.close()
  xvfb?.stop()
})

test('the renderer is served from app://renderer with a strict CSP', async () => {
  expect(page.url()).toBe('app://renderer/index.html')
  const csp = await page.evaluate(async () => {
    const g = globalThis as unknown as PageGlobals
    return (await g.fetch(g.location.href)).headers.get('content-security-policy')
  })
  expect(csp).toContain("script-src 'self'")
  expect(csp).not.toContain('unsafe-eval')
  await expect(
    page.evaluate(() => (globalThis as unknown as PageGlobals).eval('1 + 1')),
  ).rejects.toThrow()
})

test('the renderer has no Node, and sees only the contract transport and the two dialogs', async () => {
  const globals = await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals
    return {
      require: typeof g.require,
      process: typeof g.process,
      bridge: Object.keys(g.eventscope ?? {}).sort(),
      desktop: Object.keys(g.eventscopeDesktop ?? {}).sort(),
    }
  })
  expect(globals).toEqual({
    require: 'undefined',
    process: 'undefined',
    bridge: ['invoke', 'on'],
    desktop: ['pickAggregateModule', 'pickSqliteFile'],
  })
})

test('the contract works over IPC, and unknown methods are refused', async () => {
  const invoke = (method: string, payload: unknown) =>
    page.evaluate(
      ([m, p]) => (globalThis as unknown as PageGlobals).eventscope!.invoke(m as string, p),
      [method, payload],
    )
  const envelope = await invoke('getConnection', {})
  expect(envelope).toMatchObject({
    ok: true,
    value: { status: expect.stringMatching(/connected|disconnected/) },
  })
  const bogus = await invoke('nope', {})
  expect(bogus).toMatchObject({ ok: false, error: { code: 'ValidationError' } })
  const invalid = await invoke('getAggregate', { id: 'not-a-uuid' })
  expect(invalid).toMatchObject({ ok: false, error: { code: 'ValidationError' } })
})

test('navigation, popups and permissions are denied', async () => {
  expect(
    await page.evaluate(() => (globalThis as unknown as PageGlobals).open('https://example.com/')),
  ).toBeNull()
  // A mark on this document: still there afterwards, the page never went away.
  await page.evaluate(() => {
    ;(globalThis as unknown as PageGlobals).eventscopeMark = 'this document'
  })
  // The main process hears of the attempt (will-navigate) and refuses it in the same event:
  // wait until it has heard, then look. A listener of ours beside the app's records it.
  await app.evaluate(({ BrowserWindow }) => {
    const attempts: string[] = []
    ;(globalThis as MainGlobals).navigationAttempts = attempts
    BrowserWindow.getAllWindows()[0]?.webContents.on('will-navigate', (event) =>
      attempts.push(event.url),
    )
  })
  await page.evaluate(() => {
    ;(globalThis as unknown as PageGlobals).location.href = 'https://example.com/'
  })
  await expect
    .poll(() => app.evaluate(() => (globalThis as MainGlobals).navigationAttempts ?? []))
    .toContain('https://example.com/')
  expect(page.url()).toBe('app://renderer/index.html')
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).eventscopeMark)).toBe(
    'this document',
  )
  expect(app.windows()).toHaveLength(1)
  const geolocation = await page.evaluate(() =>
    (globalThis as unknown as PageGlobals).navigator.permissions
      .query({ name: 'geolocation' })
      .then((s) => s.state),
  )
  expect(geolocation).not.toBe('granted')
})
