/**
 * Follows the application log: cheap `app.log.read({ after })` reads, so writes by any process on
 * the same store (the CLI seeding the same SQLite file, other writers of a Cassandra cluster)
 * reach the UI.
 *
 * Stores whose positions follow commit order (SQLite, memory: a `reorderWindowMs` of 0) are read
 * after the last entry seen, and that is all.
 *
 * Stores whose positions come from several writers' clocks (Cassandra) say how far behind an
 * acknowledged entry may still appear: `reorderWindowMs` (W), measured both from the newest
 * entry seen and from this process's clock. The follower then keeps two reads:
 *
 *   - the head: every poll, entries after the newest position read, leaving out batches still
 *     in flight (`skipInFlight`), so new changes show at once;
 *   - the sweep: every `sweepIntervalMs`, a pass from the cursor over everything after it. It
 *     finds the entries that appeared behind the head. It stops at a batch in flight, which holds
 *     the cursor until it is stored or abandoned, and looks on past it to the head all the same.
 *
 * The cursor is the last entry of a sweep pass at or below the watermark: the lower of
 * (newest entry's time − W + time since it was first read) and (this clock − W), taken when the
 * pass starts. No entry can appear at or below it any more, so it is never read again. What was
 * emitted after it is remembered by (originatorId, toVersion), so nothing is emitted twice; that
 * memory holds what was recorded in about W (plus a sweep interval), and is capped
 * (`maxRemembered`): at the cap the head read waits until the sweep has moved the cursor on —
 * new changes show later, none is missed or repeated.
 */
import type { ApplicationLog, LogEntry } from '../eventsourcing'

export interface LogFollowerOptions {
  /** The application's log (`app.log`). */
  readonly log: ApplicationLog
  readonly onEntries: (entries: LogEntry[]) => void
  readonly onError?: (error: unknown) => void
  readonly intervalMs?: number
  /** Overrides the log's `reorderWindowMs` (tests). */
  readonly reorderWindowMs?: number
  /** How often the reorder window is re-read (default 2000 ms). */
  readonly sweepIntervalMs?: number
  readonly pageSize?: number
  /** Pages read per poll and per read at most; the rest waits for the next poll. */
  readonly maxPagesPerPoll?: number
  /** Entries remembered for de-duplication at most (default 50,000). */
  readonly maxRemembered?: number
  /** This process's wall clock, ms since the epoch (default Date.now; tests). */
  readonly now?: () => number
  /** A monotonic clock in ms, for elapsed time (default performance.now; tests). */
  readonly monotonicNow?: () => number
}

/** A watermark from the log: `value` at monotonic time `at`, rising with elapsed time. */
interface LogMark {
  readonly value: number
  readonly at: number
}

/** A sweep pass under way: where it resumes, and the watermark taken when it started. */
interface Pass {
  after: string | undefined
  readonly watermark: number
}

const keyOf = (e: LogEntry): string => `${e.originatorId}:${e.toVersion}`

export class LogFollower {
  private readonly intervalMs: number
  private readonly windowMs: number
  private readonly sweepIntervalMs: number
  private readonly pageSize: number
  private readonly maxPages: number
  private readonly maxRemembered: number
  private readonly now: () => number
  private readonly monotonicNow: () => number
  /** Commit-order stores: entries after this one; reordering stores: the head read's start. */
  private head: string | undefined
  /** Reordering stores: nothing at or before this position can appear any more. */
  private cursor: string | undefined
  /** Entries after the cursor already emitted (or there at start): their `recordedAt` times, by
   * (originatorId, toVersion). */
  private readonly remembered = new Map<string, number>()
  private logMark: LogMark | undefined
  private pass: Pass | undefined
  private lastSweep = Number.NEGATIVE_INFINITY
  private timer: NodeJS.Timeout | undefined
  private inFlight: Promise<unknown> = Promise.resolve()
  private running = false

  constructor(private readonly options: LogFollowerOptions) {
    this.intervalMs = options.intervalMs ?? 400
    this.windowMs = options.reorderWindowMs ?? options.log.reorderWindowMs
    this.sweepIntervalMs = options.sweepIntervalMs ?? 2000
    this.pageSize = options.pageSize ?? 1000
    this.maxPages = options.maxPagesPerPoll ?? 10
    this.maxRemembered = options.maxRemembered ?? 50_000
    this.now = options.now ?? Date.now
    this.monotonicNow = options.monotonicNow ?? (() => performance.now())
  }

  /** Starts at the current end of the log: only what is recorded from now on is reported. */
  async start(): Promise<void> {
    const log = this.options.log
    if (this.windowMs > 0) {
      // Everything within the window of the end is remembered as seen, and the cursor goes
      // below it, so a late entry positioned among those is still found and reported.
      let before: LogEntry | undefined
      let watermark: number | undefined
      let below = false
      while (!below && this.remembered.size < this.maxRemembered) {
        const page = await log.read({
          desc: true,
          limit: this.pageSize,
          ...(before === undefined ? {} : { before: before.position }),
        })
        for (const entry of page) {
          if (watermark === undefined) {
            this.head = entry.position
            this.see(entry)
            watermark = this.watermark()
          }
          if (entry.recordedAt.getTime() <= watermark) {
            this.moveCursor(entry)
            below = true
            break
          }
          this.remember(entry)
        }
        if (page.length < this.pageSize) break
        before = page[page.length - 1]!
      }
      if (!below && before !== undefined && this.remembered.size >= this.maxRemembered) {
        // More than the cap within the window: start at the oldest entry remembered.
        this.moveCursor(before)
      }
    } else {
      const [last] = await log.read({ desc: true, limit: 1 })
      this.head = last?.position
    }
    this.running = true
    this.schedule()
  }

  /** Entries remembered for de-duplication now: at most `maxRemembered` + a page. */
  get rememberedEntries(): number {
    return this.remembered.size
  }

  async stop(): Promise<void> {
    this.running = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.inFlight.catch(() => undefined)
  }

  /** One poll: reads what is new, reports it, returns how many new entries there were. */
  async poll(): Promise<number> {
    const run = this.windowMs > 0 ? this.pollReordering() : this.pollInOrder()
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

  private async pollInOrder(): Promise<number> {
    const fresh: LogEntry[] = []
    for (let page = 0; page < this.maxPages; page++) {
      const entries = await this.options.log.read({
        ...(this.head === undefined ? {} : { after: this.head }),
        limit: this.pageSize,
      })
      fresh.push(...entries)
      if (entries.length > 0) this.head = entries[entries.length - 1]!.position
      if (entries.length < this.pageSize) break
    }
    if (fresh.length > 0) this.options.onEntries(fresh)
    return fresh.length
  }

  private async pollReordering(): Promise<number> {
    const fresh: LogEntry[] = []
    if (this.remembered.size < this.maxRemembered) await this.readHead(fresh)
    if (this.pass !== undefined || this.now() - this.lastSweep >= this.sweepIntervalMs) {
      await this.sweep(fresh)
    }
    if (fresh.length > 0) this.options.onEntries(fresh)
    return fresh.length
  }

  /** New entries after the head, past any batch in flight (the sweep comes back for those). */
  private async readHead(fresh: LogEntry[]): Promise<void> {
    for (let page = 0; page < this.maxPages; page++) {
      const entries = await this.options.log.read({
        ...(this.head === undefined ? {} : { after: this.head }),
        limit: this.pageSize,
        skipInFlight: true,
      })
      for (const entry of entries) {
        if (this.remembered.size >= this.maxRemembered) return
        this.take(entry, fresh)
        this.head = entry.position
      }
      if (entries.length < this.pageSize) return
    }
  }

  /** Part of a pass from the cursor (resumed on the next poll if it has more pages). */
  private async sweep(fresh: LogEntry[]): Promise<void> {
    const pass = (this.pass ??= { after: this.cursor, watermark: this.watermark() })
    let pastHead = pass.after !== undefined && pass.after === this.head
    for (let page = 0; page < this.maxPages; page++) {
      const entries = await this.options.log.read({
        ...(pass.after === undefined ? {} : { after: pass.after }),
        limit: this.pageSize,
      })
      let settled: LogEntry | undefined
      let full = false
      for (const entry of entries) {
        // With the memory full, only entries this page settles (forgotten again at its end).
        if (
          this.remembered.size >= this.maxRemembered &&
          entry.recordedAt.getTime() > pass.watermark
        ) {
          full = true
          break
        }
        this.take(entry, fresh)
        if (entry.recordedAt.getTime() <= pass.watermark) settled = entry
        pass.after = entry.position
        if (entry.position === this.head) pastHead = true
        else if (pastHead) this.head = entry.position
      }
      if (settled !== undefined) this.moveCursor(settled)
      if (full || entries.length < this.pageSize) {
        // Stopped short of the head: at a batch in flight (its writer may have died, and it
        // holds the cursor until abandoned). What lies beyond it is looked at all the same.
        if (!full && !pastHead) await this.lookPast(pass.after, fresh)
        this.endPass()
        return
      }
    }
  }

  /** Entries between a batch in flight and the head, for the UI; the cursor stays put. */
  private async lookPast(after: string | undefined, fresh: LogEntry[]): Promise<void> {
    for (let page = 0; page < this.maxPages; page++) {
      const entries = await this.options.log.read({
        ...(after === undefined ? {} : { after }),
        limit: this.pageSize,
        skipInFlight: true,
      })
      for (const entry of entries) {
        if (entry.position === this.head || this.remembered.size >= this.maxRemembered) return
        this.take(entry, fresh)
        after = entry.position
      }
      if (entries.length < this.pageSize) return
    }
  }

  private endPass(): void {
    this.pass = undefined
    this.lastSweep = this.now()
  }

  /** Emits an entry unless already emitted (or there at start); keeps the newest time seen. */
  private take(entry: LogEntry, fresh: LogEntry[]): void {
    this.see(entry)
    if (this.remembered.has(keyOf(entry))) return
    this.remember(entry)
    fresh.push(entry)
  }

  /**
   * An entry read at time P was taken by a clock at most maxSkew ahead, so P ≥ its time − maxSkew;
   * one still unseen then or later is taken after P − intent delay by a clock at most maxSkew
   * behind: later than the entry's time − W, and later still as time passes.
   */
  private see(entry: LogEntry): void {
    const mark = entry.recordedAt.getTime() - this.windowMs
    if (this.logMark === undefined || mark > this.logWatermark()) {
      this.logMark = { value: mark, at: this.monotonicNow() }
    }
  }

  private logWatermark(): number {
    const mark = this.logMark
    return mark === undefined
      ? Number.NEGATIVE_INFINITY
      : mark.value + (this.monotonicNow() - mark.at)
  }

  private remember(entry: LogEntry): void {
    this.remembered.set(keyOf(entry), entry.recordedAt.getTime())
  }

  /** No entry can appear at or below this time any more (see the top of this file). */
  private watermark(): number {
    const byClock = this.now() - this.windowMs
    // Either alone is enough within the limits; the lower one survives a clock beyond them (a
    // writer far ahead, or this one).
    return this.logMark === undefined ? byClock : Math.min(byClock, this.logWatermark())
  }

  /** The cursor moves to an entry at or below the watermark; older entries are forgotten. */
  private moveCursor(entry: LogEntry): void {
    this.cursor = entry.position
    const time = entry.recordedAt.getTime()
    // Entries older than the cursor sort before it: they are never read again.
    for (const [key, seen] of this.remembered) {
      if (seen < time) this.remembered.delete(key)
    }
  }
}
