/**
 * Where a scrub's time goes (issue 10): the UI bench's scrub loop (bench/rows/ui.ts) on one
 * seeded store, with each answer's round trip as the page measured it (the renderer's
 * `eventscope:getAggregate` measure) apart from the rest (input handling, rendering, frame).
 * With EVENTSCOPE_TIMING_LOG=<file> the server also writes each answer's phases there.
 *
 *   npm run build, then
 *   EVENTSCOPE_TIMING_LOG=/tmp/t.jsonl node --import tsx bench/scrubProbe.ts <store.sqlite> <snapshot period> [scrubs] [rest ms after the first load] [random|drag]
 */
import Database from 'better-sqlite3'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { findBrowser, playwrightChromiumPath } from '../scripts/browser.mjs'
import { median, percentile, seededRandom } from './lib/harness'
import { PAGE_PROBE } from './lib/pageProbe'
import { serve } from './lib/serve'

const [store, period = '0', count = '40', restMs = '0', mode = 'random'] = process.argv.slice(2)
if (!store)
  throw new Error(
    'usage: bench/scrubProbe.ts <store.sqlite> <snapshot period> [scrubs] [rest ms] [random|drag]',
  )
const db = new Database(store, { readonly: true })
const row = db
  .prepare('SELECT originator_id FROM aggregates ORDER BY version DESC LIMIT 1')
  .raw()
  .get()
db.close()
const big = (row as [string])[0]
const executablePath = findBrowser({
  override: process.env['EVENTSCOPE_E2E_BROWSER'],
  playwrightChromium: await playwrightChromiumPath(),
})
if (!executablePath) throw new Error('no Chromium (see scripts/browser.mjs)')
const browser = await chromium.launch({ executablePath, headless: true })
const served = await serve(store, mkdtempSync(join(tmpdir(), 'scrub-probe-')), Number(period))
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
  await context.addInitScript({ content: PAGE_PROBE })
  const page = await context.newPage()
  await page.goto(served.url)
  await page.evaluate('window.__bench.firstRow()')
  const began = Date.now()
  await page.evaluate(`window.__bench.select(${JSON.stringify(big)})`)
  console.log(`first load: ${Date.now() - began} ms`)
  await new Promise((r) => setTimeout(r, Number(restMs)))
  const latest = (await page.evaluate('window.__bench.latest()')) as number
  const totals: number[] = []
  const trips: number[] = []
  let current = latest
  const random = seededRandom()
  for (let i = 0; i <= Number(count); i++) {
    // `drag`: small steps forward from the middle, as a slow drag of the slider asks them.
    let v = mode === 'drag' ? Math.floor(latest / 2) + i * 7 : Math.floor(random() * (latest + 1))
    if (v === current) v = (v + 1) % (latest + 1)
    await page.evaluate('performance.clearMeasures("eventscope:getAggregate")')
    const total = (await page.evaluate(`window.__bench.scrub(${v})`)) as number
    const measured = (await page.evaluate(
      'performance.getEntriesByName("eventscope:getAggregate").map((e) => e.duration)',
    )) as number[]
    const trip = measured[measured.length - 1] ?? 0
    console.log(`v${v}: ${total.toFixed(1)} ms (round trip ${trip.toFixed(1)})`)
    // The first is reported apart, as the bench does.
    if (i > 0) {
      totals.push(total)
      trips.push(trip)
    }
    current = v
  }
  const line = (name: string, xs: number[]) =>
    console.log(
      `${name}: p95 ${percentile(xs, 95).toFixed(1)} ms, median ${median(xs).toFixed(1)} ms`,
    )
  line('input → frame', totals)
  line('round trip', trips)
  line(
    'the rest (input, render, frame)',
    totals.map((t, i) => t - trips[i]!),
  )
} finally {
  await served.stop()
  await browser.close()
}
