/**
 * Follows the application log: one cheap `selectLog({ after })` per poll, so writes by any
 * process on the same store (the CLI seeding the same SQLite file) reach the UI.
 */
import type { ApplicationRecorder, LogEntry } from '../eventsourcing/persistence/recorder'

export interface LogFollowerOptions {
  readonly recorder: Pick<ApplicationRecorder, 'selectLog'>
  readonly onEntries: (entries: LogEntry[]) => void
  readonly onError?: (error: unknown) => void
  readonly intervalMs?: number
  /**
   * Re-read what was recorded up to this long before the newest entry seen, de-duplicated by
   * position. For stores whose positions come from several writers' clocks (Cassandra): a
   * writer with a slower clock can record an entry "behind" one already read. 0: positions are
   * handed out in commit order (SQLite, memory), nothing is re-read.
   */
  readonly overlapMs?: number
  /** Bounds the re-read window in entries, so a burst of writes cannot make a poll expensive. */
  readonly overlapEntries?: number
  readonly pageSize?: number
  /** Pages read per poll at most; the rest waits for the next poll. */
  readonly maxPagesPerPoll?: number
}

interface Seen {
  readonly position: string
  readonly recordedAt: number
}

export class LogFollower {
  private readonly intervalMs: number
  private readonly overlapMs: number
  private readonly overlapEntries: number
  private readonly pageSize: number
  private readonly maxPages: number
  /** Read entries strictly after this position; undefined: from the beginning. */
  private cursor: string | undefined
  /** Entries after the cursor already emitted (overlap mode only). */
  private recent: Seen[] = []
  private timer: NodeJS.Timeout | undefined
  private inFlight: Promise<unknown> = Promise.resolve()
  private running = false

  constructor(private readonly options: LogFollowerOptions) {
    this.intervalMs = options.intervalMs ?? 400
    this.overlapMs = options.overlapMs ?? 0
    this.overlapEntries = options.overlapEntries ?? 1000
    this.pageSize = options.pageSize ?? 1000
    this.maxPages = options.maxPagesPerPoll ?? 10
  }

  /** Starts at the current end of the log: only what is recorded from now on is reported. */
  async start(): Promise<void> {
    if (this.overlapMs > 0) {
      // Remember the newest entries as seen, and start behind them, so a late writer's entry
      // positioned among them is still found.
      const newest = (
        await this.options.recorder.selectLog({ desc: true, limit: this.overlapEntries })
      ).reverse()
      this.recent = newest.map(toSeen)
      this.cursor = undefined
      this.advanceCursor(newest.length === this.overlapEntries)
    } else {
      const [last] = await this.options.recorder.selectLog({ desc: true, limit: 1 })
      this.cursor = last?.position
    }
    this.running = true
    this.schedule()
  }

  async stop(): Promise<void> {
    this.running = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.inFlight.catch(() => undefined)
  }

  /** One poll: reads what is new, reports it, returns how many new entries there were. */
  async poll(): Promise<number> {
    const run = this.pollNow()
    this.inFlight = run
    return run
  }

  private schedule(): void {
    if (!this.running) return
    this.timer = setTimeout(() => {
      void this.poll()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => this.schedule())
    }, this.intervalMs)
    this.timer.unref?.()
  }

  private async pollNow(): Promise<number> {
    const seen = new Set(this.recent.map((s) => s.position))
    const fresh: LogEntry[] = []
    let after = this.cursor
    for (let page = 0; page < this.maxPages; page++) {
      const entries = await this.options.recorder.selectLog({
        ...(after === undefined ? {} : { after }),
        limit: this.pageSize,
      })
      for (const entry of entries) {
        if (seen.has(entry.position)) continue
        seen.add(entry.position)
        fresh.push(entry)
      }
      const last = entries[entries.length - 1]
      if (last) after = last.position
      if (entries.length < this.pageSize) break
    }
    if (this.overlapMs > 0) {
      this.recent.push(...fresh.map(toSeen))
      this.advanceCursor(false)
    } else {
      this.cursor = after
    }
    if (fresh.length > 0) this.options.onEntries(fresh)
    return fresh.length
  }

  /** Moves the cursor to the newest remembered entry that is outside the overlap window. */
  private advanceCursor(force: boolean): void {
    const newest = this.recent.reduce(
      (max, s) => Math.max(max, s.recordedAt),
      Number.NEGATIVE_INFINITY,
    )
    let keepFrom = this.recent.findIndex((s) => s.recordedAt > newest - this.overlapMs)
    if (keepFrom < 0) keepFrom = this.recent.length
    keepFrom = Math.max(keepFrom, this.recent.length - this.overlapEntries)
    if (force) keepFrom = Math.max(keepFrom, 1)
    if (keepFrom > 0) {
      this.cursor = this.recent[keepFrom - 1]!.position
      this.recent = this.recent.slice(keepFrom)
    }
  }
}

function toSeen(entry: LogEntry): Seen {
  return { position: entry.position, recordedAt: entry.recordedAt.getTime() }
}
