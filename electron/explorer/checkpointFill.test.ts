/**
 * Background checkpoint filling (checkpointFill.ts) and the cost rule that lets answers use
 * its checkpoints (CheckpointCache.startsFasterFrom): the fill keeps every due checkpoint from
 * the newest versions down, each equal to the library's own replay, gives way to answers,
 * stops for another aggregate and at a tampered event; through the service, a slow decode
 * starts it and the answers after it are exact.
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import { SEED_CIPHER_KEY } from '../example/seedSettings'
import { EverythingApplication } from '../example/everythingApplication'
import type { Application } from '../eventsourcing'
import { aggregateState, createSqliteStore } from '../eventsourcing'
import { CheckpointCache, type Checkpoint } from './checkpoints'
import { answerRunning, FILL_QUIET_MS, fillAfterSlowDecode, runningFill } from './checkpointFill'
import { forge, referenceStates } from './checkpointTesting'
import {
  closeOpenServices,
  connected,
  dropServiceKeyspaces,
  newSqlitePath,
  seededAggregate,
  serviceStores,
} from './serviceTesting'

afterEach(closeOpenServices)
afterAll(dropServiceKeyspaces)

const opened: Application[] = []
afterEach(async () => {
  for (const app of opened.splice(0)) await app.close()
})

/** Aggregates of these many events seeded through the service (snapshots every 100). */
async function seededFile(events: number[]): Promise<{ path: string; ids: string[] }> {
  const path = newSqlitePath()
  const h = await connected('sqlite', { snapshotPeriod: 100 }, path)
  const ids: string[] = []
  for (const n of events) ids.push(await seededAggregate(h, n))
  await closeOpenServices()
  return { path, ids }
}

/** The app a connection would hold on that file (all time travel reads of it). */
function appOn(path: string) {
  const app = new EverythingApplication({
    store: createSqliteStore(path),
    cipherKey: SEED_CIPHER_KEY,
    snapshotPeriod: 100,
  })
  opened.push(app)
  return { app }
}

/** Period 10: a fill segment is 2,000 versions; every due checkpoint fits. */
const fillCache = () => new CheckpointCache(1 << 30, 10, Infinity, 0)
const dueUpTo = (latest: number) =>
  Array.from({ length: Math.floor((latest + 1) / 10) }, (_, i) => i * 10 + 9)

describe('a background fill', () => {
  test('keeps every due checkpoint from the top down, each as the library replays it', async () => {
    const { path, ids } = await seededFile([2500])
    const id = ids[0]!
    const c = appOn(path)
    const cache = fillCache()

    fillAfterSlowDecode(c, cache, id, 2499, 1)
    await runningFill(cache)

    expect(cache.versions(id)).toEqual(dueUpTo(2499))
    // The top segment (500–2,499) started from the stored snapshot below it, the rest from
    // creation.
    expect(cache.nearest(id, 2000)?.origin).toEqual({ kind: 'snapshot', version: 499 })
    expect(cache.nearest(id, 300)?.origin).toEqual({ kind: 'fromCreation' })
    const transcoder = c.app.mapper.transcoder
    for (const v of [9, 499, 509, 1999, 2499]) {
      const { aggregate } = await c.app.replay(id, { at: v, useSnapshots: false })
      const kept = cache.nearest(id, v)!
      expect(kept.version).toBe(v)
      expect(transcoder.encode(kept.state), `v${v}`).toBe(
        transcoder.encode(aggregateState(aggregate!)),
      )
    }
  })

  test('starts after a decode as slow as the threshold, and waits while answers run', async () => {
    const { path, ids } = await seededFile([600])
    const id = ids[0]!
    const c = appOn(path)
    const quick = new CheckpointCache(1 << 30, 10, Infinity, 15)
    fillAfterSlowDecode(c, quick, id, 599, 14.9)
    fillAfterSlowDecode(c, quick, id, 599, undefined)
    expect(runningFill(quick)).toBeUndefined()

    const cache = fillCache()
    const answered = answerRunning(cache)
    fillAfterSlowDecode(c, cache, id, 599, 20)
    await new Promise((resolve) => setTimeout(resolve, FILL_QUIET_MS * 4))
    expect(cache.versions(id)).toEqual([])
    answered()
    await runningFill(cache)
    expect(cache.versions(id)).toEqual(dueUpTo(599))
  })

  test('a fill of another aggregate stops it; a second ask for the same one does not', async () => {
    const { path, ids } = await seededFile([600, 300])
    const [first, second] = [ids[0]!, ids[1]!]
    const c = appOn(path)
    const cache = fillCache()
    const answered = answerRunning(cache)
    fillAfterSlowDecode(c, cache, first, 599, 20)
    const firstFill = runningFill(cache)
    fillAfterSlowDecode(c, cache, first, 599, 20)
    expect(runningFill(cache)).toBe(firstFill)

    fillAfterSlowDecode(c, cache, second, 299, 20)
    answered()
    await firstFill
    await runningFill(cache)
    expect(cache.versions(first)).toEqual([])
    expect(cache.versions(second)).toEqual(dueUpTo(299))
  })

  test('a tampered event stops it and drops what it kept of that aggregate', async () => {
    const { path, ids } = await seededFile([2500])
    const id = ids[0]!
    forge(path, id, 1500)
    const c = appOn(path)
    const cache = fillCache()
    fillAfterSlowDecode(c, cache, id, 2499, 20)
    await runningFill(cache)
    expect(cache.versions(id)).toEqual([])
  })
})

describe.each(await serviceStores())('through the service, on the %s store', (kind) => {
  test('a slow decode starts it; the answers after it start from its checkpoints, exactly', async () => {
    const options = { snapshotPeriod: 100, checkpointFillAfterDecodeMs: 0 }
    const path = newSqlitePath()
    const h = await connected(kind, options, path)
    const id = await seededAggregate(h, 1000)
    expect((await h.ok('getAggregate', { id })).loadedFromSnapshot).toBe(999)
    // Asked one after another, the fill still waiting: each from its stored snapshot. Each
    // below the one before, so the last answer's live state is never the start.
    const sample = [950, 720, 550, 120, 7]
    const before = []
    for (const at of sample) before.push(await h.ok('getAggregate', { id, at }))
    expect(before.map((v) => v.fromCheckpoint)).toEqual(sample.map(() => undefined))

    // Asked rarely: each answer holds the fill back for a while. (It replays upwards from
    // creation: once 899 is kept, every due version below it is. Asked above the sample, each
    // ask below the one before: the sample's first answer cannot start from their live state.)
    let view = await h.ok('getAggregate', { id, at: 990 })
    for (let i = 1; i < 40 && view.fromCheckpoint === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, FILL_QUIET_MS * 2))
      view = await h.ok('getAggregate', { id, at: 990 - i })
    }
    expect(view.fromCheckpoint?.version).toBe(899)
    for (const [i, at] of sample.entries()) {
      const answer = await h.ok('getAggregate', { id, at })
      const { state, stateOmitted, stateShortened } = answer
      const was = before[i]!
      expect({ state, stateOmitted, stateShortened }, `v${at}`).toEqual({
        state: was.state,
        stateOmitted: was.stateOmitted,
        stateShortened: was.stateShortened,
      })
      expect(answer.fromCheckpoint?.version, `v${at}`).toBe(
        at < 99 ? undefined : at - (at % 100) - 1,
      )
      expect(answer.hashChain.status).toBe('verified')
    }
    if (kind !== 'sqlite') return
    // And as the library replays them from creation.
    const reference = await referenceStates(path, id, sample)
    for (const [i, at] of sample.entries()) {
      const { state, stateOmitted, stateShortened } = before[i]!
      expect({ state, stateOmitted, stateShortened }, `v${at}`).toEqual(reference.get(at))
    }
  })
})

describe('CheckpointCache costs', () => {
  const checkpoint = (version: number, bytes: number): Checkpoint => ({
    version,
    topic: 't',
    state: {},
    bytes,
    lastHash: `h${version}`,
    origin: { kind: 'fromCreation' },
    verifiedAt: new Date(),
  })

  test('a farther checkpoint is preferred only once measured, and only when cheaper', () => {
    const cache = new CheckpointCache(1 << 30, 100)
    const big = checkpoint(999, 2_000_000)
    expect(cache.startsFasterFrom(big, 1099)).toBe(false)
    // 0.01 ms an event; 10 ms to copy 2 MB.
    cache.noteFold(10, 1000)
    cache.noteCopy(10, 2_000_000)
    // A decode is taken to cost 2.5 copies: 15 ms more than the copy, 1,500 events.
    expect(cache.startsFasterFrom(big, 1099)).toBe(true)
    expect(cache.startsFasterFrom(big, 2499)).toBe(false)
    // Decodes measured at 6 copies: 50 ms more, 5,000 events.
    for (let i = 0; i < 20; i++) cache.noteDecode('a', 60, 1099, big)
    expect(cache.startsFasterFrom(big, 2499)).toBe(true)
    expect(cache.startsFasterFrom(big, 6099)).toBe(false)
  })

  test('too small to learn from: a few events, a small state', () => {
    const cache = new CheckpointCache(1 << 30, 100)
    cache.noteFold(10, 10)
    cache.noteCopy(10, 1000)
    expect(cache.startsFasterFrom(checkpoint(99, 2_000_000), 100)).toBe(false)
  })

  test('coversDue says whether every due version in a range has a checkpoint', () => {
    const cache = new CheckpointCache(1 << 30, 100)
    for (const v of [99, 199, 299]) cache.add('a', checkpoint(v, 100))
    expect(cache.coversDue('a', 0, 299)).toBe(true)
    expect(cache.coversDue('a', 150, 350)).toBe(true)
    expect(cache.coversDue('a', 150, 399)).toBe(false)
    expect(cache.coversDue('b', 0, 98)).toBe(true)
    expect(cache.coversDue('b', 0, 99)).toBe(false)
  })

  test('a fill going down thins before copying what it would drop', () => {
    const W = 100 + 1 + 256
    const cache = new CheckpointCache(W * 8, 100)
    // Nine due versions below at about half its weight: 5.5 W over a share of 4 W.
    cache.add('a', checkpoint(999, 100), 999, true)
    expect(cache.versions('a')).toEqual([999])
    expect(cache.isDue('a', 99)).toBe(false)
    expect(cache.isDue('a', 199)).toBe(true)
  })
})
