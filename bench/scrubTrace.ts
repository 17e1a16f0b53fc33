/**
 * Where the renderer's share of a scrub goes (issue 10): bench/scrubProbe.ts's random scrubs
 * under a Chromium trace, each cut at its answer's round trip (the renderer's
 * `eventscope:getAggregate` measure, which ends once the answer is parsed and validated):
 *
 *   input → request          the slider's input event until the request's measure starts
 *   answer → validated       the socket's message until the measure ends (inside the trip)
 *   validated → rAF asked    the render and commit that put the version in the DOM (the probe
 *                            asks for a frame when its MutationObserver sees it)
 *   rAF asked → frame        waiting for the frame that paints it (the probe's end)
 *
 * and for both halves outside the trip, the main thread's time by kind (script, style, layout,
 * paint, idle) and the functions with the most CPU samples (readable with an unminified build:
 * `minify: false` in electron.vite.config.ts). Writes the trace for DevTools too.
 *
 *   npm run build, then
 *   node --import tsx bench/scrubTrace.ts <store.sqlite> <snapshot period> [scrubs] [trace.json] [random|drag|back]
 *   node --import tsx bench/scrubTrace.ts --analyze <trace.json>
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { median, percentile } from './lib/harness'
import { openScrubPage, scrubVersions } from './lib/scrubPage'

interface TraceEvent {
  name: string
  cat: string
  ph: string
  ts: number
  dur?: number
  pid: number
  tid: number
  args?: { data?: Record<string, unknown> } & Record<string, unknown>
}

interface ProfileNode {
  id: number
  parent?: number
  // Native frames ((program), (idle), GC) come without a url or line.
  callFrame: { functionName: string; url?: string; lineNumber?: number }
}

const [
  store,
  period = '0',
  count = '40',
  out = join(tmpdir(), 'scrub-trace.json'),
  mode = 'random',
] = process.argv.slice(2)
if (!store)
  throw new Error(
    'usage: bench/scrubTrace.ts <store.sqlite> <period> [scrubs] [out] [random|drag|back]',
  )

/** Runs the scrubs under a trace and returns it. */
async function record(): Promise<Buffer> {
  const { browser, page, latest, close } = await openScrubPage(store!, Number(period))
  try {
    await browser.startTracing(page, {
      categories: [
        'devtools.timeline',
        'disabled-by-default-devtools.timeline',
        'blink.user_timing',
        'v8.execute',
        'disabled-by-default-v8.cpu_profiler',
      ],
    })
    // The first scrub is left out of the figures below, as the bench does.
    for (const v of scrubVersions(latest, Number(count), mode))
      await page.evaluate(`window.__bench.scrub(${v})`)
    return await browser.stopTracing()
  } finally {
    await close()
  }
}

const analyzeOnly = store === '--analyze'
const trace = analyzeOnly ? readFileSync(period) : await record()
if (!analyzeOnly) {
  writeFileSync(out, trace)
  console.log(`trace: ${out}`)
}

const events = (JSON.parse(trace.toString()) as { traceEvents: TraceEvent[] }).traceEvents
const begins = (name: string) => events.filter((e) => e.name === name && e.ph === 'b')
const scrubs = begins('bench:scrub')
const trips = begins('eventscope:getAggregate')
if (scrubs.length === 0) throw new Error('no bench:scrub measures in the trace')
// A measure's begin and end share an id with every other measure of its name: each begin is
// paired with the next end of its name.
const endOf = (b: TraceEvent) =>
  events.find((e) => e.ph === 'e' && e.name === b.name && e.ts >= b.ts)?.ts ?? b.ts
const { pid, tid } = scrubs[0]!
const main = events.filter((e) => e.pid === pid && e.tid === tid).sort((a, b) => a.ts - b.ts)
const slices = main.filter((e) => e.ph === 'X' && e.dur !== undefined)

/** Each slice's self time goes to its kind; time in no slice is idle. */
const KINDS: Record<string, string> = {
  RunTask: 'other',
  FunctionCall: 'script',
  EventDispatch: 'script',
  TimerFire: 'script',
  FireAnimationFrame: 'script',
  RunMicrotasks: 'script',
  V8Execute: 'script',
  UpdateLayoutTree: 'style',
  Layout: 'layout',
  PrePaint: 'paint',
  Paint: 'paint',
  Layerize: 'paint',
  Commit: 'paint',
}

/** Main-thread time in [a, b] by kind (ms): each slice's self time, nested slices apart. */
function busy(a: number, b: number): Record<string, number> {
  const totals: Record<string, number> = {}
  const open: Array<{ end: number; kind: string }> = []
  let cursor = a
  const spend = (kind: string, until: number) => {
    const from = Math.max(cursor, a)
    const to = Math.min(until, b)
    if (to > from) totals[kind] = (totals[kind] ?? 0) + (to - from) / 1000
    cursor = Math.max(cursor, until)
  }
  for (const e of slices) {
    if (e.ts >= b || e.ts + e.dur! <= a || !KINDS[e.name]) continue
    while (open.length && open[open.length - 1]!.end <= e.ts) {
      const done = open.pop()!
      spend(done.kind, done.end)
    }
    spend(open[open.length - 1]?.kind ?? 'idle', e.ts)
    open.push({ end: e.ts + e.dur!, kind: KINDS[e.name]! })
  }
  while (open.length) {
    const done = open.pop()!
    spend(done.kind, done.end)
  }
  spend('idle', b)
  return totals
}

// The trace's CPU samples: (time, node) in trace time, and the call tree they point into.
const nodes = new Map<number, ProfileNode>()
const samples: Array<[number, number]> = []
let clock = 0
for (const e of events) {
  if (e.pid !== pid) continue
  if (e.name === 'Profile') clock = Number(e.args?.data?.['startTime'] ?? 0)
  if (e.name !== 'ProfileChunk') continue
  const data = e.args?.data as {
    cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }
    timeDeltas?: number[]
  }
  for (const n of data.cpuProfile?.nodes ?? []) nodes.set(n.id, n)
  const ids = data.cpuProfile?.samples ?? []
  ids.forEach((id, i) => {
    clock += data.timeDeltas?.[i] ?? 0
    samples.push([clock, id])
  })
}
samples.sort((x, y) => x[0] - y[0])
const label = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${(n.callFrame.url ?? '').split('/').pop()}:${(n.callFrame.lineNumber ?? 0) + 1}`

/** Sampled time (ms) per function inside the windows: self, and total (on the stack). */
function sampled(windows: Array<[number, number]>) {
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  for (let i = 0; i + 1 < samples.length; i++) {
    const [ts, id] = samples[i]!
    if (!windows.some(([a, b]) => ts >= a && ts < b)) continue
    const dt = (samples[i + 1]![0] - ts) / 1000
    const leaf = nodes.get(id)
    if (!leaf) continue
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt)
    const seen = new Set<string>()
    for (let n: ProfileNode | undefined = leaf; n; n = nodes.get(n.parent ?? -1)) {
      if (seen.has(label(n))) continue
      seen.add(label(n))
      total.set(label(n), (total.get(label(n)) ?? 0) + dt)
    }
  }
  return { self, total }
}

interface Scrub {
  phases: Record<string, number>
  before: [number, number]
  after: [number, number]
}
const measured: Scrub[] = []
for (const s of scrubs.slice(1)) {
  const end = endOf(s)
  const trip = trips.find((t) => t.ts >= s.ts && t.ts < end && endOf(t) <= end)
  if (!trip) continue
  const tripEnd = endOf(trip)
  const received = main.filter((e) => e.name === 'WebSocketReceive' && e.ts <= tripEnd).pop()
  const frameAsked = main.filter((e) => e.name === 'RequestAnimationFrame' && e.ts <= end).pop()
  if (!received || !frameAsked) continue
  measured.push({
    phases: {
      'input → request': (trip.ts - s.ts) / 1000,
      'answer → validated': (tripEnd - received.ts) / 1000,
      'validated → rAF asked': (frameAsked.ts - tripEnd) / 1000,
      'rAF asked → frame': (end - frameAsked.ts) / 1000,
    },
    before: [s.ts, trip.ts],
    after: [tripEnd, end],
  })
}
const figures = (xs: number[]) =>
  `median ${median(xs).toFixed(1)}  p95 ${percentile(xs, 95).toFixed(1)}`
console.log(`${measured.length} scrubs (ms)`)
for (const name of Object.keys(measured[0]?.phases ?? {}))
  console.log(`  ${name.padEnd(24)} ${figures(measured.map((m) => m.phases[name]!))}`)

for (const half of ['before', 'after'] as const) {
  const title = half === 'before' ? 'input → request' : 'validated → frame'
  const kinds = measured.map((m) => busy(...m[half]))
  console.log(`${title}, main thread by kind (ms):`)
  for (const kind of [...new Set(kinds.flatMap((k) => Object.keys(k)))].sort())
    console.log(`  ${kind.padEnd(8)} ${figures(kinds.map((k) => k[kind] ?? 0))}`)
  const { self, total } = sampled(measured.map((m) => m[half]))
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((x, y) => y[1] - x[1])
      .slice(0, n)
      .map(([f, t]) => `  ${(t / measured.length).toFixed(2).padStart(6)}  ${f}`)
      .join('\n')
  console.log(`${title}, CPU samples a scrub, self (ms):\n${top(self, 12)}`)
  console.log(`${title}, CPU samples a scrub, total (ms):\n${top(total, 25)}`)
}
