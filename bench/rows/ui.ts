/**
 * The UI rows: Chromium (playwright-core, the browser scripts/browser.mjs finds) against
 * browser mode (electron/serve/cli.ts) on seeded SQLite stores, timed inside the page from the
 * input to the frame that shows the result (bench/lib/pageProbe.ts). Needs `npm run build`.
 *
 *   snapshots   one 100,000-event aggregate, snapshots every 100 (+ a 10-event one to click from)
 *   bare        the same with no snapshots at all
 *   many        100,000 one-event aggregates
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { chromium, type Page } from 'playwright-core'
import { methods } from '../../shared/contract'
import { ExplorerService } from '../../electron/explorer/service'
import { findBrowser, playwrightChromiumPath } from '../../scripts/browser.mjs'
import {
  atMost,
  median,
  percentile,
  round,
  skipped,
  timed,
  type BenchModule,
  type RowResult,
} from '../lib/harness'
import { scrubVersions } from '../lib/scrubPage'
import { PAGE_PROBE } from '../lib/pageProbe'
import { serve } from '../lib/serve'
import { seedManyAggregates, seedSqlite } from '../lib/seedStore'
import { RENDERER_DIR } from './bundle'

const ROWS = {
  scrub: {
    id: 'ui-scrub-snapshots',
    label: 'UI: scrub to a random version, 100k events, snapshots every 100 (p95)',
    goal: atMost(50, '≤ 50 ms'),
  },
  scrubBare: {
    id: 'ui-scrub-no-snapshots',
    label: 'the same with no snapshots, after the first full load (p95)',
    goal: atMost(50, '≤ 50 ms'),
  },
  timeline: {
    id: 'ui-timeline',
    label: 'UI: click a 100k-event aggregate → first timeline rows (median)',
    goal: atMost(300, '≤ 300 ms'),
  },
  load: {
    id: 'ui-list-load',
    label: 'UI: page load → first list row, 100k aggregates (median)',
    goal: atMost(300, '≤ 300 ms'),
  },
  firstPage: {
    id: 'ui-list-first-page',
    label: 'the same: first page of the list, cold (service call)',
    goal: atMost(100, '≤ 100 ms'),
  },
  prefix: {
    id: 'ui-prefix-filter',
    label: 'UI: id-prefix filter, 100k aggregates: last keystroke → filtered rows (p95)',
    goal: atMost(150, '≤ 150 ms'),
  },
} as const

/** The pause before the scrubs are repeated (the page left alone, as a user looking). */
const PAUSE_MS = 3000

/** Keystrokes 120 ms apart (about 100 words a minute): the earlier prefixes' requests go out too. */
const KEYSTROKE_GAP_MS = 120

/** A row whose measurement failed: no figure, and why (the run reports it as ERROR). */
const failedRow = (
  row: { id: string; label: string; goal: RowResult['goal'] },
  error: unknown,
): RowResult => ({
  ...row,
  value: null,
  unit: 'ms',
  figures: {},
  error: (error instanceof Error ? error.message : String(error)).split('\n')[0]!,
})

const call = <T>(page: Page, expression: string): Promise<T> =>
  page.evaluate(expression) as Promise<T>

/** `count` aggregate ids picked at random (a bench-only full scan of the index). */
function randomIds(path: string, count: number): string[] {
  const db = new Database(path, { readonly: true })
  try {
    return (
      db
        .prepare('SELECT originator_id FROM aggregates ORDER BY random() LIMIT ?')
        .raw()
        .all(count) as [string][]
    ).map((r) => r[0].toLowerCase())
  } finally {
    db.close()
  }
}

/** Aggregate ids, largest first. */
function aggregateIds(path: string): string[] {
  const db = new Database(path, { readonly: true })
  try {
    return (
      db
        .prepare('SELECT originator_id FROM aggregates ORDER BY version DESC LIMIT 2')
        .raw()
        .all() as [string][]
    ).map((r) => r[0])
  } finally {
    db.close()
  }
}

export const uiModule: BenchModule = {
  name: 'ui',
  rows: Object.values(ROWS).map((r) => r.id),
  async run({ quick, folder, log }) {
    const executablePath = findBrowser({
      override: process.env['EVENTSCOPE_E2E_BROWSER'],
      playwrightChromium: await playwrightChromiumPath(),
    })
    const why = !existsSync(join(RENDERER_DIR, 'index.html'))
      ? 'no out/renderer (run: npm run build)'
      : !executablePath
        ? 'no Chromium (see scripts/browser.mjs)'
        : undefined
    if (why) return Object.values(ROWS).map((r) => skipped(r.id, r.label, r.goal, 'ms', why))

    const events = quick ? 2_000 : 100_000
    const aggregates = quick ? 2_000 : 100_000
    const [scrubs, clicks, loads, filters] = quick ? [5, 2, 2, 2] : [40, 7, 7, 15]
    const pauseMs = quick ? 500 : PAUSE_MS
    // EVENTSCOPE_BENCH_UI_STORES=<folder> keeps the seeded stores there and reuses them (a
    // `.done` file marks a complete one): seeding them is most of this module's time.
    const keep = process.env['EVENTSCOPE_BENCH_UI_STORES']
    const dir = keep ?? folder
    if (keep) mkdirSync(keep, { recursive: true })
    // `-p<period>`: stores reused from runs before the app was served with the store's period
    // hold the snapshots it wrote at period 2, and are not these. `-cb`: snapshots stored by
    // column and compressed with Brotli (earlier stores hold slower ones).
    const stores = {
      snapshots: join(dir, `ui-snapshots-${events}-p100-cb.sqlite`),
      bare: join(dir, `ui-bare-${events}-p0.sqlite`),
      many: join(dir, `ui-many-${aggregates}.sqlite`),
    }
    const once = async (path: string, what: string, seed: () => Promise<unknown>) => {
      if (existsSync(`${path}.done`)) return log(`ui: reusing ${path}`)
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
      log(`ui: seeding ${what}`)
      await seed()
      if (keep) writeFileSync(`${path}.done`, `${new Date().toISOString()}\n`)
    }
    for (const [path, period] of [
      [stores.snapshots, 100],
      [stores.bare, 0],
    ] as const) {
      await once(
        path,
        `${events.toLocaleString('en')} events (snapshots every ${period || 'never'})`,
        async () => {
          await seedSqlite({ path, aggregates: 1, events, snapshotPeriod: period })
          await seedSqlite({ path, aggregates: 1, events: 10, snapshotPeriod: period })
        },
      )
    }
    await once(stores.many, `${aggregates.toLocaleString('en')} one-event aggregates`, () =>
      seedManyAggregates(stores.many, aggregates),
    )

    // The first page of the list from a freshly opened store: the service call alone.
    const service = new ExplorerService({ env: {}, defaultSqlitePath: stores.many, emit: () => {} })
    await service.connect({ kind: 'sqlite', path: stores.many })
    let firstItems = 0
    const firstPageMs = await timed(async () => {
      firstItems = (await service.listAggregates(methods.listAggregates.request.parse({}))).items
        .length
    })
    await service.close()
    if (firstItems === 0) throw new Error('the first page of the list is empty')

    const browser = await chromium.launch({ executablePath: executablePath!, headless: true })
    const rows: RowResult[] = []
    const figures = (values: number[]): Record<string, number> => ({
      medianMs: round(median(values), 1),
      p95Ms: round(percentile(values, 95), 1),
      minMs: round(Math.min(...values), 1),
      maxMs: round(Math.max(...values), 1),
      samples: values.length,
    })
    // The period each store was seeded with: the app keeps to it (see serve).
    const periods = new Map<string, number>([
      [stores.snapshots, 100],
      [stores.bare, 0],
      [stores.many, 0],
    ])
    /** `body` gets the page and the time its first load (an empty browser cache) took. */
    const withPage = async <T>(
      store: string,
      body: (page: Page, coldLoadMs: number) => Promise<T>,
    ): Promise<T> => {
      const served = await serve(store, folder, periods.get(store) ?? 0)
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
      await context.addInitScript({ content: PAGE_PROBE })
      const page = await context.newPage()
      try {
        await page.goto(served.url)
        return await body(page, await call<number>(page, 'window.__bench.firstRow()'))
      } catch (error) {
        // What the page showed, for the report: the error alone rarely says why.
        const shot = join(dir, `failed-${Date.now()}.png`)
        await page.screenshot({ path: shot }).catch(() => undefined)
        log(`ui: failed on ${store}; the page: ${shot}`)
        throw error
      } finally {
        await context.close()
        await served.stop()
      }
    }
    try {
      // Scrubbing, with and without snapshots.
      for (const [key, row] of [
        ['snapshots', ROWS.scrub],
        ['bare', ROWS.scrubBare],
      ] as const) {
        try {
          const [big] = aggregateIds(stores[key])
          const result = await withPage(stores[key], async (page) => {
            await call(page, `window.__bench.select(${JSON.stringify(big)})`)
            log(`ui: ${key}: the ${events.toLocaleString('en')}-event aggregate is shown`)
            const latest = await call<number>(page, 'window.__bench.latest()')
            if (latest !== events - 1)
              throw new Error(`slider max ${latest}, expected ${events - 1}`)
            const versions = scrubVersions(latest, scrubs, 'random')
            const times: number[] = []
            for (const [i, v] of versions.entries()) {
              times.push(await call<number>(page, `window.__bench.scrub(${v})`))
              if (i % 10 === 0) log(`ui: ${key}: scrub ${i}/${scrubs}: ${times[i]!.toFixed(0)} ms`)
            }
            // As many other jumps after a pause, as a user who looks before scrubbing again:
            // what the server prepares while no answer is asked for (checkpointFill.ts).
            await page.waitForTimeout(pauseMs)
            const afterPause: number[] = []
            for (const v of scrubVersions(latest, scrubs - 1, 'random', 11))
              afterPause.push(await call<number>(page, `window.__bench.scrub(${v})`))
            return { times, afterPause }
          })
          log(`ui: ${key}: first scrub ${result.times[0]!.toFixed(0)} ms`)
          const [first, ...rest] = result.times
          rows.push({
            ...row,
            value: round(percentile(rest, 95), 1),
            unit: 'ms',
            figures: {
              ...figures(rest),
              firstScrubMs: round(first!, 1),
              p95AfterPauseMs: round(percentile(result.afterPause, 95), 1),
              medianAfterPauseMs: round(median(result.afterPause), 1),
            },
            note: `${events.toLocaleString('en')} events; ${rest.length} scrubs after the first (which is reported apart), one after another; as many other jumps after a ${pauseMs / 1000} s pause: *AfterPause`,
          })
        } catch (error) {
          rows.push(failedRow(row, error))
        }
      }

      // Click → first timeline rows, each on a fresh page load.
      try {
        const [big, small] = aggregateIds(stores.snapshots)
        const clicksMs = await withPage(stores.snapshots, async (page) => {
          const times: number[] = []
          for (let i = 0; i < clicks; i++) {
            if (i > 0) {
              await page.reload()
              await call(page, 'window.__bench.firstRow()')
            }
            await call(page, `window.__bench.select(${JSON.stringify(small)})`)
            await call(page, `window.__bench.openTab('Timeline')`)
            times.push(
              await call<number>(
                page,
                `window.__bench.clickToTimeline(${JSON.stringify(big)}, ${JSON.stringify(small)})`,
              ),
            )
          }
          return times
        })
        rows.push({
          ...ROWS.timeline,
          value: round(median(clicksMs), 1),
          unit: 'ms',
          figures: figures(clicksMs),
          note: `${events.toLocaleString('en')}-event aggregate (snapshots every 100), from another aggregate's timeline; fresh page each time`,
        })
      } catch (error) {
        rows.push(failedRow(ROWS.timeline, error))
      }

      // Page load → first list row.
      const [loadsMs, coldMs] = await withPage(stores.many, async (page, cold) => {
        const times: number[] = []
        for (let i = 0; i < loads; i++) {
          await page.reload()
          times.push(await call<number>(page, 'window.__bench.firstRow()'))
        }
        return [times, cold] as const
      })
      rows.push({
        ...ROWS.load,
        value: round(median(loadsMs), 1),
        unit: 'ms',
        figures: { ...figures(loadsMs), firstLoadEmptyCacheMs: round(coldMs, 1) },
        note: `${aggregates.toLocaleString('en')} aggregates; from navigation start, reloads of a warm server (the browser keeps the hashed assets); the first load, with an empty cache and the token's redirect, reported apart`,
      })
      // Typing an id prefix: 3 or 4 characters of a stored id, so that the prefix one shorter
      // matches a few dozen to hundreds of ids (its rows cannot pass for the answer).
      try {
        const filterMs = await withPage(stores.many, async (page) => {
          const times: number[] = []
          for (const id of randomIds(stores.many, filters)) {
            const prefix = id.slice(0, 3 + Math.floor(Math.random() * 2))
            const arg = JSON.stringify(prefix)
            times.push(
              await call<number>(
                page,
                `window.__bench.filterByPrefix(${arg}, ${KEYSTROKE_GAP_MS})`,
              ),
            )
            await call(page, `window.__bench.clearPrefix(${arg})`)
          }
          return times
        })
        rows.push({
          ...ROWS.prefix,
          value: round(percentile(filterMs, 95), 1),
          unit: 'ms',
          figures: figures(filterMs),
          note: `${aggregates.toLocaleString('en')} aggregates; prefixes of 3–4 characters typed ${KEYSTROKE_GAP_MS} ms apart, the list emptied between them`,
        })
      } catch (error) {
        rows.push(failedRow(ROWS.prefix, error))
      }
      rows.push({
        ...ROWS.firstPage,
        value: round(firstPageMs, 1),
        unit: 'ms',
        figures: { firstPageMs: round(firstPageMs, 1), items: firstItems },
        note: 'listAggregates (default page) as the first call on a freshly opened store',
      })
      return rows
    } finally {
      await browser.close()
    }
  },
}
