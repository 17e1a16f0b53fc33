/**
 * What bench/scrubProbe.ts and bench/scrubTrace.ts share: browser mode on one store, Chromium
 * with the page probe, the store's longest aggregate opened, and the versions a scrub loop asks
 * for (seeded, as the bench's rows; `drag`: small steps forward from the middle, as a slow drag
 * of the slider asks them, or `back`wards).
 */
import Database from 'better-sqlite3'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { findBrowser, playwrightChromiumPath } from '../../scripts/browser.mjs'
import { seededRandom } from '../../test/seededRandom'
import { PAGE_PROBE } from './pageProbe'
import { serve } from './serve'

export interface ScrubPage {
  readonly browser: Browser
  readonly page: Page
  /** The opened aggregate's latest version (the slider's end). */
  readonly latest: number
  /** Milliseconds from selecting the aggregate to its first view. */
  readonly firstLoadMs: number
  close(): Promise<void>
}

export async function openScrubPage(store: string, period: number): Promise<ScrubPage> {
  const db = new Database(store, { readonly: true })
  const row = db
    .prepare('SELECT originator_id FROM aggregates ORDER BY version DESC LIMIT 1')
    .raw()
    .get() as [string] | undefined
  db.close()
  if (!row) throw new Error(`${store} holds no aggregate`)
  const executablePath = findBrowser({
    override: process.env['EVENTSCOPE_E2E_BROWSER'],
    playwrightChromium: await playwrightChromiumPath(),
  })
  if (!executablePath) throw new Error('no Chromium (see scripts/browser.mjs)')
  const browser = await chromium.launch({ executablePath, headless: true })
  const served = await serve(store, mkdtempSync(join(tmpdir(), 'scrub-page-')), period)
  const close = async () => {
    await served.stop()
    await browser.close()
  }
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    await context.addInitScript({ content: PAGE_PROBE })
    const page = await context.newPage()
    await page.goto(served.url)
    await page.evaluate('window.__bench.firstRow()')
    const began = Date.now()
    await page.evaluate(`window.__bench.select(${JSON.stringify(row[0])})`)
    const firstLoadMs = Date.now() - began
    const latest = (await page.evaluate('window.__bench.latest()')) as number
    return { browser, page, latest, firstLoadMs, close }
  } catch (error) {
    await close()
    throw error
  }
}

/**
 * The versions a loop of `count + 1` scrubs asks for, from the slider's end: `random` jumps,
 * `drag` small steps forward from the middle, `back` the same steps backwards. Another `seed`:
 * other random jumps (the renderer keeps the answers it was given: repeating them measures it).
 */
export function scrubVersions(latest: number, count: number, mode: string, seed = 10): number[] {
  const random = seededRandom(seed)
  const out: number[] = []
  let current = latest
  const middle = Math.floor(latest / 2)
  for (let i = 0; i <= count; i++) {
    let v =
      mode === 'drag'
        ? middle + i * 7
        : mode === 'back'
          ? Math.max(0, middle - i * 7)
          : Math.floor(random() * (latest + 1))
    if (v === current) v = (v + 1) % (latest + 1)
    out.push(v)
    current = v
  }
  return out
}
