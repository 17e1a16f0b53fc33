import { describe, expect, test } from 'vitest'
import type { LogEntry, LogQuery } from '../eventsourcing/persistence/recorder'
import { LogFollower } from './logFollower'

/** A log whose positions sort as text, like time-ordered ids from several writers' clocks. */
class FakeLog {
  entries: LogEntry[] = []
  rowsRead = 0

  add(at: number, id = `agg-${at}`): void {
    const entry: LogEntry = {
      position: `p${String(at).padStart(10, '0')}`,
      originatorId: id,
      fromVersion: 0,
      toVersion: 0,
      topics: ['t#A.Created'],
      recordedAt: new Date(at),
    }
    this.entries.push(entry)
    this.entries.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0))
  }

  async selectLog(query: LogQuery): Promise<LogEntry[]> {
    let rows = query.desc
      ? [...this.entries]
          .reverse()
          .filter((e) => query.before === undefined || e.position < query.before)
      : this.entries.filter((e) => query.after === undefined || e.position > query.after)
    rows = rows.slice(0, query.limit)
    this.rowsRead += rows.length
    return rows
  }
}

function follow(
  log: FakeLog,
  options: { overlapMs?: number; overlapEntries?: number; pageSize?: number } = {},
) {
  const emitted: number[] = []
  const follower = new LogFollower({
    recorder: log,
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

  test('given writers with skewed clocks, then an entry recorded behind one already read is still reported, once', async () => {
    const log = new FakeLog()
    log.add(1_000)
    log.add(2_000)
    const { follower, emitted } = follow(log, { overlapMs: 5_000 })
    await follower.start()

    log.add(10_000)
    await follower.poll()
    log.add(9_000) // a slower clock: positioned before the entry already reported
    await follower.poll()
    await follower.poll()

    expect(emitted).toEqual([10_000, 9_000])
    await follower.stop()
  })

  test('given overlap, then a poll re-reads only the overlap window, not the whole log', async () => {
    const log = new FakeLog()
    const { follower, emitted } = follow(log, { overlapMs: 5_000 })
    await follower.start()
    for (let i = 1; i <= 200; i++) log.add(i * 1_000)
    await follower.poll()
    expect(emitted).toHaveLength(200)

    log.rowsRead = 0
    await follower.poll()

    expect(log.rowsRead).toBeLessThanOrEqual(6)
    expect(emitted).toHaveLength(200)
    await follower.stop()
  })

  test('given overlap and a start on a long log, then old entries are not reported again', async () => {
    const log = new FakeLog()
    for (let i = 1; i <= 50; i++) log.add(i)
    const { follower, emitted } = follow(log, { overlapMs: 5_000, overlapEntries: 10 })
    await follower.start()

    log.add(60)
    await follower.poll()

    expect(emitted).toEqual([60])
    await follower.stop()
  })
})
