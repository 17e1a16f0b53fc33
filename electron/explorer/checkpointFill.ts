/**
 * Background checkpoint filling (issue 10): an aggregate whose stored snapshots are slow to
 * decode (a large state) answers every jump in time with such a decode, so once one answer has
 * paid for one, the connection replays the aggregate's history in the background and keeps its
 * due checkpoints (checkpoints.ts), which answers then start from when that is cheaper
 * (CheckpointCache.startsFasterFrom): a copy and the events after it instead of a decode.
 *
 * The history is filled from its newest versions down, in segments that each start from the
 * stored snapshot (or checkpoint) below them: the newest states are the largest, so the
 * answers that cost most are the first to get faster. A fill works only while no time-travel
 * answer has been asked for in the last FILL_QUIET_MS (a pause in scrubbing, the time spent
 * looking at a state), a read of a few ms at a time: it never competes with an answer. One fill
 * runs per connection (a newer one for another aggregate stops it), it stops at the first
 * integrity failure (dropping that aggregate's checkpoints: an answer will report the
 * failure), and it writes nothing to the store.
 */
import { setTimeout as sleep, setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { DataIntegrityError } from '../eventsourcing'
import type { CheckpointCache } from './checkpoints'
import { fold, startFor, type AppConnection, type FillPace } from './timeTravel'

/**
 * Checkpoint periods one segment replays from its start (20,000 versions at the default period
 * of 100). A decode of the largest states costs about what replaying a few thousand of their
 * events does: a segment spends a small share of its time on the decode it starts from.
 */
export const FILL_SEGMENT_PERIODS = 200

/** Events per read: a few milliseconds of work between two turns for other requests. */
const FILL_PAGE = 200

/**
 * How long after the last time-travel answer a fill waits before its next read: longer than
 * the gaps between the steps of a scrub (a fill's turn, a decode or a copy of a large state,
 * delays the next step: at 50 ms the bench's back-to-back scrubs met it, p95 about 80 against
 * 72 ms at 250 in alternating probes), shorter than a look at a state.
 */
export const FILL_QUIET_MS = 250

interface AnswerActivity {
  inFlight: number
  lastEnded: number
}

/** Time-travel answers of each connection, which a fill gives way to. */
const activity = new WeakMap<CheckpointCache, AnswerActivity>()

/** Marks a time-travel answer on the connection as running; call the result when it ends. */
export function answerRunning(cache: CheckpointCache): () => void {
  let a = activity.get(cache)
  if (!a) activity.set(cache, (a = { inFlight: 0, lastEnded: 0 }))
  const answers = a
  answers.inFlight += 1
  return () => {
    answers.inFlight -= 1
    answers.lastEnded = performance.now()
  }
}

/** A turn for others, then a wait until no answer has run for FILL_QUIET_MS. */
async function quietTurn(cache: CheckpointCache, signal: AbortSignal): Promise<void> {
  await yieldToEventLoop()
  for (;;) {
    const a = activity.get(cache)
    const wait = !a
      ? 0
      : a.inFlight > 0
        ? FILL_QUIET_MS
        : a.lastEnded + FILL_QUIET_MS - performance.now()
    if (wait <= 0 || signal.aborted) return
    await sleep(wait)
  }
}

interface RunningFill {
  readonly id: string
  readonly controller: AbortController
  readonly done: Promise<void>
}

const running = new WeakMap<CheckpointCache, RunningFill>()

/**
 * After an answer that decoded a stored snapshot `decodeMs` long: when that is at least the
 * connection's fillAfterDecodeMs, starts filling the checkpoints of `id` up to `latestVersion`
 * in the background, unless a fill of it is running already, and stops a fill of another
 * aggregate on the same connection.
 */
export function fillAfterSlowDecode(
  c: AppConnection,
  cache: CheckpointCache,
  id: string,
  latestVersion: number,
  decodeMs: number | undefined,
): void {
  if (!cache.enabled || decodeMs === undefined || decodeMs < cache.fillAfterDecodeMs) return
  const current = running.get(cache)
  if (current?.id === id) return
  current?.controller.abort()
  const controller = new AbortController()
  const done = fill(c, cache, id, latestVersion, controller.signal).finally(() => {
    if (running.get(cache)?.controller === controller) running.delete(cache)
  })
  running.set(cache, { id, controller, done })
}

/** The fill running on this connection, if any, to wait for (tests, diagnostics). */
export function runningFill(cache: CheckpointCache): Promise<void> | undefined {
  return running.get(cache)?.done
}

async function fill(
  c: AppConnection,
  cache: CheckpointCache,
  id: string,
  latestVersion: number,
  signal: AbortSignal,
): Promise<void> {
  const pace: FillPace = { pageSize: FILL_PAGE, betweenPages: () => quietTurn(cache, signal) }
  // The answer that asked for it goes out first.
  await pace.betweenPages()
  let top = latestVersion
  try {
    while (top > 0 && !signal.aborted) {
      const bottom = Math.max(0, top - cache.period * FILL_SEGMENT_PERIODS)
      if (cache.coversDue(id, bottom, top)) {
        top = bottom
        continue
      }
      const start = await startFor(c, cache, id, bottom, undefined, true)
      if (start === 'unsupported' || signal.aborted) return
      await pace.betweenPages()
      await fold(c, cache, id, start, { at: top, signal }, pace)
      if (!start) return
      top = start.version
    }
  } catch (error) {
    if (signal.aborted) return
    // An answer that meets the same break reports it; a fill only stops trusting the aggregate.
    if (error instanceof DataIntegrityError) cache.drop(id)
    // Anything else (the store closed or went away): the answers report it if it lasts.
  }
}
