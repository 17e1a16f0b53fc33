import { describe, expect, test } from 'vitest'
import { applicationLogOf, type LogEntry, type LogQuery } from '../eventsourcing'
import { LogFollower } from './logFollower'

/**
 * A log whose positions sort as text, like time-ordered ids from several writers' clocks. An
 * entry in flight (its intent written, its events not yet) stops ascending reads, as Cassandra's
 * does, unless `skipInFlight`; descending reads leave it out.
 */
class FakeLog {
  entries: (LogEntry & { inFlight?: boolean })[] = []
  rowsRead = 0

  add(at: number, id = `agg-${at}`, options: { inFlight?: boolean; version?: number } = {}): void {
    const entry = {
      position: `p${String(at).padStart(10, '0')}${id}`,
      originatorId: id,
      fromVersion: options.version ?? 0,
      toVersion: options.version ?? 0,
      topics: ['t#A.Created'],
      recordedAt: new Date(at),
      ...(options.inFlight ? { inFlight: true } : {}),
    }
    this.entries.push(entry)
    this.entries.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0))
  }

  store(id: string): void {
    for (const e of this.entries) if (e.originatorId === id) delete e.inFlight
  }

  async selectLog(query: LogQuery): Promise<LogEntry[]> {
    const out: LogEntry[] = []
    if (query.desc) {
      for (const e of [...this.entries].reverse()) {
        if (out.length >= query.limit) break
        if (query.before !== undefined && e.position >= query.before) continue
        this.rowsRead++
        if (!e.inFlight) out.push(strip(e))
      }
      return out
    }
    for (const e of this.entries) {
      if (out.length >= query.limit) break
      if (query.after !== undefined && e.position <= query.after) continue
      this.rowsRead++
      if (e.inFlight) {
        if (query.skipInFlight) continue
        break
      }
      out.push(strip(e))
    }
    return out
  }
}

function strip(e: LogEntry & { inFlight?: boolean }): LogEntry {
  const { inFlight: _, ...entry } = e
  return entry
}

interface FollowOptions {
  reorderWindowMs?: number
  pageSize?: number
  maxRemembered?: number
  sweepIntervalMs?: number
  now?: () => number
  monotonicNow?: () => number
}

function follow(log: FakeLog, options: FollowOptions = {}) {
  const emitted: number[] = []
  const follower = new LogFollower({
    log: applicationLogOf(log),
    intervalMs: 60_000,
    onEntries: (entries) => emitted.push(...entries.map((e) => e.recordedAt.getTime())),
    ...options,
  })
  return { follower, emitted }
}

describe('LogFollower', () => {
  test('given a log in commit order, then it starts at the end and reports each new entry once', async () => {
    const log = new FakeLog()
    log.add(1)
    log.add(2)
    const { follower, emitted } = follow(log)
    await follower.start()

    expect(await follower.poll()).toBe(0)
    log.add(3)
    log.add(4)
    expect(await follower.poll()).toBe(2)
    expect(await follower.poll()).toBe(0)
    expect(emitted).toEqual([3, 4])
    await follower.stop()
  })

  test('given a burst larger than a page, then everything arrives in order across pages, without duplicates', async () => {
    const log = new FakeLog()
    const { follower, emitted } = follow(log, { pageSize: 7 })
    await follower.start()
    for (let i = 1; i <= 100; i++) log.add(i)

    while ((await follower.poll()) > 0);

    expect(emitted).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    await follower.stop()
  })

  test('given writers with skewed clocks, then an entry recorded behind one already read is reported once, by the next sweep', async () => {
    const log = new FakeLog()
    log.add(1_000)
    log.add(2_000)
    let now = 10_000
    const { follower, emitted } = follow(log, {
      reorderWindowMs: 5_000,
      sweepIntervalMs: 1_000,
      now: () => now,
    })
    await follower.start()

    log.add(10_000)
    await follower.poll()
    log.add(9_000) // a slower clock: positioned before the entry already reported
    await follower.poll()
    expect(emitted).toEqual([10_000]) // the head read does not look behind the head
    now += 1_000
    await follower.poll()
    await follower.poll()
    now += 1_000
    await follower.poll()

    expect(emitted).toEqual([10_000, 9_000])
    await follower.stop()
  })

  test('given a late entry as far behind as the window allows, then it is reported; the cursor never passes it', async () => {
    const log = new FakeLog()
    let now = 100_000
    const { follower, emitted } = follow(log, {
      reorderWindowMs: 30_000,
      sweepIntervalMs: 0,
      now: () => now,
    })
    await follower.start()
    // Writers with good clocks go on for 29 s; then an entry taken at 100 s arrives.
    for (let t = 100_000; t < 129_000; t += 1_000) {
      now = t
      log.add(t + 500)
      await follower.poll()
    }
    log.add(100_001, 'late')
    await follower.poll()

    expect(emitted).toHaveLength(30)
    expect(emitted[29]).toBe(100_001)
    await follower.stop()
  })

  test('given a fast clock ahead of the follower, then entries of correct clocks behind it are still reported', async () => {
    const log = new FakeLog()
    let now = 50_000
    const { follower, emitted } = follow(log, {
      reorderWindowMs: 25_000, // 2 × 10 s of skew + 5 s of intent delay
      sweepIntervalMs: 0,
      now: () => now,
    })
    await follower.start()
    for (let t = 50_000; t < 60_000; t += 100) {
      now = t
      log.add(t + 10_000, `fast-${t}`) // 10 s fast
      log.add(t, `right-${t}`)
      await follower.poll()
    }
    await follower.poll()

    expect(emitted).toHaveLength(200)
    expect(new Set(emitted).size).toBe(200)
    await follower.stop()
  })

  test('given a window, then a poll re-reads only the window, not the whole log', async () => {
    const log = new FakeLog()
    let now = 0
    const { follower, emitted } = follow(log, {
      reorderWindowMs: 5_000,
      sweepIntervalMs: 0,
      now: () => now,
    })
    await follower.start()
    for (let i = 1; i <= 200; i++) log.add(i * 1_000)
    now = 200_000
    await follower.poll()
    await follower.poll()
    expect(emitted).toHaveLength(200)

    log.rowsRead = 0
    await follower.poll()

    expect(log.rowsRead).toBeLessThanOrEqual(6)
    expect(follower.rememberedEntries).toBeLessThanOrEqual(6)
    expect(emitted).toHaveLength(200)
    await follower.stop()
  })

  test('given a start on a long log, then entries already there are not reported, late ones among them are', async () => {
    const log = new FakeLog()
    for (let i = 1; i <= 50; i++) log.add(i * 100)
    const { follower, emitted } = follow(log, {
      reorderWindowMs: 1_000,
      sweepIntervalMs: 0,
      now: () => 5_000,
    })
    await follower.start()

    log.add(6_000)
    log.add(4_550, 'late')
    await follower.poll()

    expect(emitted).toEqual([6_000, 4_550])
    await follower.stop()
  })

  test('given one change at two positions within the window, then it is reported once', async () => {
    const log = new FakeLog()
    const { follower, emitted } = follow(log, {
      reorderWindowMs: 10_000,
      sweepIntervalMs: 0,
      now: () => 3_000,
    })
    await follower.start()
    log.add(2_000, 'same', { version: 4 })
    await follower.poll()
    log.add(1_000, 'same', { version: 4 }) // a retried batch, say, whose log row was repaired
    await follower.poll()

    expect(emitted).toEqual([2_000])
    await follower.stop()
  })

  test('given a batch in flight, then later entries show at once and it shows when stored', async () => {
    const log = new FakeLog()
    let now = 10_000
    const { follower, emitted } = follow(log, {
      reorderWindowMs: 2_000,
      sweepIntervalMs: 0,
      now: () => now,
    })
    await follower.start()
    log.add(10_000, 'slow', { inFlight: true })
    log.add(10_100)
    await follower.poll()
    expect(emitted).toEqual([10_100])

    // Long after the window, the sweep still waits at the batch in flight...
    for (now = 10_500; now < 30_000; now += 500) {
      log.add(now)
      await follower.poll()
    }
    log.store('slow')
    await follower.poll()

    expect(emitted).toContain(10_000)
    expect(emitted.filter((t) => t === 10_000)).toHaveLength(1)
    expect(emitted).toHaveLength(2 + 39)
    await follower.stop()
  })

  test('given a batch in flight holding the cursor, then a late entry past it shows at the next sweep', async () => {
    const log = new FakeLog()
    let now = 10_000
    const { follower, emitted } = follow(log, {
      reorderWindowMs: 5_000,
      sweepIntervalMs: 1_000,
      now: () => now,
    })
    await follower.start()
    log.add(10_000, 'dead', { inFlight: true }) // its writer died: never stored
    log.add(10_500)
    await follower.poll()
    log.add(10_200, 'slow') // behind the head, past the batch in flight
    now += 1_000
    await follower.poll()

    expect(emitted).toEqual([10_500, 10_200])
    now += 1_000
    await follower.poll()
    expect(emitted).toEqual([10_500, 10_200])
    await follower.stop()
  })

  test('given more entries in the window than it may remember, then all arrive once and the memory stays bounded', async () => {
    const log = new FakeLog()
    let now = 0
    const { follower, emitted } = follow(log, {
      reorderWindowMs: 10_000,
      sweepIntervalMs: 0,
      pageSize: 10,
      maxRemembered: 50,
      now: () => now,
      monotonicNow: () => now,
    })
    await follower.start()
    for (let i = 0; i < 400; i++) log.add(1_000 + i * 10) // 400 entries in 4 s
    let peak = 0
    for (now = 5_000; now < 40_000; now += 250) {
      if (now === 7_000) log.add(1_505, 'late') // 5.5 s late: inside the window
      await follower.poll()
      peak = Math.max(peak, follower.rememberedEntries)
    }

    expect(emitted).toHaveLength(401)
    expect(new Set(emitted).size).toBe(401)
    expect(peak).toBeLessThanOrEqual(50 + 10)
    await follower.stop()
  })
})
