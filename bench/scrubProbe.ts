/**
 * Where a scrub's time goes (issue 10): the UI bench's scrub loop (bench/rows/ui.ts) on one
 * seeded store, with each answer's round trip as the page measured it (the renderer's
 * `eventscope:getAggregate` measure) apart from the rest (input handling, rendering, frame).
 * With EVENTSCOPE_TIMING_LOG=<file> the server also writes each answer's phases there.
 *
 *   npm run build, then
 *   EVENTSCOPE_TIMING_LOG=/tmp/t.jsonl node --import tsx bench/scrubProbe.ts <store.sqlite> <snapshot period> [scrubs] [rest ms after the first load] [random|drag|back]
 */
import { median, percentile } from './lib/harness'
import { openScrubPage, scrubVersions } from './lib/scrubPage'

const [store, period = '0', count = '40', restMs = '0', mode = 'random'] = process.argv.slice(2)
if (!store)
  throw new Error(
    'usage: bench/scrubProbe.ts <store.sqlite> <snapshot period> [scrubs] [rest ms] [random|drag|back]',
  )
const { page, latest, firstLoadMs, close } = await openScrubPage(store, Number(period))
try {
  console.log(`first load: ${firstLoadMs} ms`)
  await new Promise((r) => setTimeout(r, Number(restMs)))
  const totals: number[] = []
  const trips: number[] = []
  const versions = scrubVersions(latest, Number(count), mode)
  for (const [i, v] of versions.entries()) {
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
  await close()
}
