/**
 * In-memory checkpoints (issue 10): getAggregate answers from them exactly as a full replay
 * does, within the memory bound, across new events, and a tampered event after a checkpoint is
 * still reported. The reference replays go through the library on the same SQLite file.
 */
import { afterEach, describe, expect, test } from 'vitest'
import { CheckpointCache, type Checkpoint } from './checkpoints'
import { forge, referenceStates } from './checkpointTesting'
import {
  closeOpenServices,
  connected,
  newSqlitePath,
  seededAggregate,
  setFoo,
  stateOf,
  type Harness,
} from './serviceTesting'

afterEach(closeOpenServices)

/** A service without stored snapshots, so every answer comes from checkpoints or creation. */
async function noSnapshots(bytes?: number): Promise<{ h: Harness; path: string }> {
  const path = newSqlitePath()
  const options = {
    snapshotPeriod: 0,
    // Every due checkpoint is kept, whatever the load (by default copying is time-limited).
    checkpointCopyShare: Infinity,
    ...(bytes === undefined ? {} : { checkpointMemoryBytes: bytes }),
  }
  return { h: await connected('sqlite', options, path), path }
}

describe('getAggregate from in-memory checkpoints', () => {
  test('a first full replay builds them; answers at every sampled version equal a full replay', async () => {
    const { h, path } = await noSnapshots()
    const id = await seededAggregate(h, 1000)
    const first = await h.ok('getAggregate', { id })
    expect(first).toMatchObject({ version: 999, eventsReplayed: 1000 })
    expect(first.fromCheckpoint).toBeUndefined()

    const sample = [0, 1, 98, 99, 100, 101, 250, 499, 555, 777, 998, 999]
    const reference = await referenceStates(path, id, sample)
    // Each below the one before: the last answer's live state is never the start (it has its
    // own tests below).
    for (const at of [...sample].reverse()) {
      const view = await h.ok('getAggregate', { id, at })
      expect(
        { state: view.state, stateOmitted: view.stateOmitted, stateShortened: view.stateShortened },
        `v${at}`,
      ).toEqual(reference.get(at))
      expect(view.version).toBe(at)
      expect(view.hashChain.status).toBe('verified')
      expect(view.hashChain.checked).toEqual({ kind: 'fromCreation', toVersion: at })
      // Versions below the first checkpoint replay from creation; the others at most 99 events.
      const checkpoint = at < 99 ? undefined : Math.floor((at + 1) / 100) * 100 - 1
      expect(view.fromCheckpoint?.version, `v${at}`).toBe(checkpoint)
      expect(view.eventsReplayed, `v${at}`).toBe(
        checkpoint === undefined ? at + 1 : at - checkpoint,
      )
    }
    const answer = await h.ok('getAggregate', { id, at: 555 })
    expect(answer.hashChain.message).toContain('kept as a checkpoint')
    expect(answer.hashChain.message).toContain('the 56 events after it')
  })

  test('new events: checkpoints stay valid and are extended by the next replay', async () => {
    const { h, path } = await noSnapshots()
    const id = await seededAggregate(h, 250)
    await h.ok('getAggregate', { id })
    // Stored without loading the aggregate in between (execute replays nothing through here).
    for (let i = 0; i < 6; i++) {
      const commands = Array.from({ length: 25 }, (_, j) => setFoo(`n${i}-${j}`))
      await h.ok('execute', { id, expectedVersion: 249 + i * 25, commands })
    }

    const latest = await h.ok('getAggregate', { id })
    // From the first answer's live state, the closest start.
    expect(latest).toMatchObject({ version: 399, eventsReplayed: 150 })
    expect(latest.fromCheckpoint?.version).toBe(249)
    expect(stateOf(latest.state)['_foo']).toBe('n5-24')
    const older = await h.ok('getAggregate', { id, at: 220 })
    expect(older).toMatchObject({ fromCheckpoint: { version: 199 }, eventsReplayed: 21 })
    // That replay kept 299 and 399 on the way.
    const at = await h.ok('getAggregate', { id, at: 350 })
    expect(at.fromCheckpoint?.version).toBe(299)
    expect(at.eventsReplayed).toBe(51)
    const reference = await referenceStates(path, id, [220, 350, 399])
    expect({
      state: older.state,
      stateOmitted: older.stateOmitted,
      stateShortened: older.stateShortened,
    }).toEqual(reference.get(220))
    expect({
      state: at.state,
      stateOmitted: at.stateOmitted,
      stateShortened: at.stateShortened,
    }).toEqual(reference.get(350))
    expect((await h.ok('getAggregate', { id, at: 399 })).eventsReplayed).toBe(0)
  })

  test('a tampered event after a checkpoint is still reported, and at the checkpoint too', async () => {
    const { h, path } = await noSnapshots()
    const id = await seededAggregate(h, 700)
    await h.ok('getAggregate', { id })
    forge(path, id, 550)
    forge(path, id, 399)

    const after = await h.ok('getAggregate', { id, at: 560 })
    expect(after.hashChain).toMatchObject({ status: 'broken', brokenAtVersion: 399 })
    // The checkpoints were dropped: the next answer replays again, and still reports it.
    const again = await h.ok('getAggregate', { id, at: 560 })
    expect(again.hashChain).toMatchObject({ status: 'broken', brokenAtVersion: 399 })
    const before = await h.ok('getAggregate', { id, at: 398 })
    expect(before.hashChain.status).toBe('verified')
    expect(before.eventsReplayed).toBe(399)
    // That verified replay built them again.
    expect((await h.ok('getAggregate', { id, at: 350 })).fromCheckpoint?.version).toBe(299)
  })

  test('a tampered event right after a checkpoint, found when answering from it', async () => {
    const { h, path } = await noSnapshots()
    const id = await seededAggregate(h, 300)
    await h.ok('getAggregate', { id })
    expect((await h.ok('getAggregate', { id, at: 150 })).fromCheckpoint?.version).toBe(99)
    forge(path, id, 205)
    const view = await h.ok('getAggregate', { id, at: 210 })
    expect(view.hashChain).toMatchObject({ status: 'broken', brokenAtVersion: 205 })
    expect(view.fromCheckpoint).toBeUndefined()
    expect((await h.ok('getAggregate', { id, at: 204 })).hashChain.status).toBe('verified')
  })

  test('within a small memory bound the answers stay exact; with none, no checkpoint is used', async () => {
    const { h, path } = await noSnapshots(6000)
    const ids = [await seededAggregate(h, 600)]
    await h.ok('getAggregate', { id: ids[0]! })
    const sample = [120, 333, 599]
    const reference = await referenceStates(path, ids[0]!, sample)
    for (const at of sample) {
      const { state, stateOmitted, stateShortened } = await h.ok('getAggregate', {
        id: ids[0]!,
        at,
      })
      expect({ state, stateOmitted, stateShortened }).toEqual(reference.get(at))
    }

    const off = await noSnapshots(0)
    const id = await seededAggregate(off.h, 300)
    await off.h.ok('getAggregate', { id })
    const view = await off.h.ok('getAggregate', { id, at: 250 })
    expect(view.fromCheckpoint).toBeUndefined()
    expect(view.eventsReplayed).toBe(251)
  })
})

describe("getAggregate from the last answer's live state", () => {
  test('a step forward replays only the events after the last answer, exactly', async () => {
    const { h, path } = await noSnapshots()
    const id = await seededAggregate(h, 700)
    await h.ok('getAggregate', { id, at: 510 })
    const steps = [512, 512, 530, 640]
    const reference = await referenceStates(path, id, steps)
    let previous = 510
    for (const at of steps) {
      const view = await h.ok('getAggregate', { id, at })
      expect(
        { state: view.state, stateOmitted: view.stateOmitted, stateShortened: view.stateShortened },
        `v${at}`,
      ).toEqual(reference.get(at))
      expect(view.fromCheckpoint?.version, `v${at}`).toBe(previous)
      expect(view.eventsReplayed, `v${at}`).toBe(at - previous)
      expect(view.hashChain).toMatchObject({
        status: 'verified',
        checked: { kind: 'fromCreation', toVersion: at },
      })
      previous = at
    }
    // Behind the live state: from a checkpoint (the live state stays for the next step).
    expect((await h.ok('getAggregate', { id, at: 620 })).fromCheckpoint?.version).toBe(599)
  })

  test('a tampered event after it, or at its own version, is reported and drops it', async () => {
    const { h, path } = await noSnapshots()
    const id = await seededAggregate(h, 700)
    await h.ok('getAggregate', { id, at: 510 })
    forge(path, id, 515)
    const after = await h.ok('getAggregate', { id, at: 520 })
    expect(after.hashChain).toMatchObject({ status: 'broken', brokenAtVersion: 515 })
    expect((await h.ok('getAggregate', { id, at: 514 })).hashChain.status).toBe('verified')

    const other = await noSnapshots()
    const otherId = await seededAggregate(other.h, 700)
    await other.h.ok('getAggregate', { id: otherId, at: 510 })
    forge(other.path, otherId, 510)
    const view = await other.h.ok('getAggregate', { id: otherId, at: 511 })
    expect(view.hashChain).toMatchObject({ status: 'broken', brokenAtVersion: 510 })
    expect(view.fromCheckpoint).toBeUndefined()
  })

  test('answers running at once never share it', async () => {
    const { h, path } = await noSnapshots()
    const id = await seededAggregate(h, 700)
    await h.ok('getAggregate', { id, at: 510 })
    const versions = [530, 560, 590, 620]
    const reference = await referenceStates(path, id, versions)
    const views = await Promise.all(versions.map((at) => h.ok('getAggregate', { id, at })))
    views.forEach((view, i) =>
      expect({
        state: view.state,
        stateOmitted: view.stateOmitted,
        stateShortened: view.stateShortened,
      }).toEqual(reference.get(versions[i]!)),
    )
    // One of them at most started from it.
    expect(views.filter((v) => v.fromCheckpoint?.version === 510).length).toBeLessThanOrEqual(1)
  })
})

describe('CheckpointCache', () => {
  const checkpoint = (version: number, size = 100): Checkpoint => ({
    version,
    topic: 't',
    state: {},
    bytes: size,
    lastHash: `h${version}`,
    origin: { kind: 'fromCreation' },
    verifiedAt: new Date(),
  })
  // A checkpoint whose state weighs 100 bytes weighs 100 + 1 + 256 = 357 bytes.
  const W = 357

  test('evicts the least recently used aggregate first, never the one just added to', () => {
    const cache = new CheckpointCache(W * 6, 100)
    for (const id of ['a', 'b', 'c']) for (const v of [99, 199]) cache.add(id, checkpoint(v))
    expect(cache.bytes).toBe(W * 6)
    expect(cache.nearest('a', 150)?.version).toBe(99) // a is now the most recently used
    cache.add('d', checkpoint(99))
    expect(cache.versions('b')).toEqual([])
    expect(cache.versions('a')).toEqual([99, 199])
    expect(cache.versions('d')).toEqual([99])
    expect(cache.bytes).toBeLessThanOrEqual(W * 6)
  })

  test('one aggregate beyond half the budget keeps every second checkpoint from then on', () => {
    const cache = new CheckpointCache(W * 8, 100)
    for (const v of [99, 199, 299, 399]) cache.add('a', checkpoint(v))
    expect(cache.versions('a')).toEqual([99, 199, 299, 399])
    cache.add('a', checkpoint(499))
    expect(cache.versions('a')).toEqual([199, 399])
    expect(cache.isDue('a', 699)).toBe(false)
    expect(cache.isDue('a', 799)).toBe(true)
    expect(cache.nearest('a', 398)?.version).toBe(199)
    expect(cache.bytes).toBe(W * 2)
  })

  test('a replay that will go further thins early rather than keep what it would drop', () => {
    const cache = new CheckpointCache(W * 8, 100)
    cache.add('a', checkpoint(99), 999)
    cache.add('a', checkpoint(199), 999)
    // Eight more of this weight by 999 would not fit in half the budget (4): every 200 now.
    expect(cache.versions('a')).toEqual([199])
    cache.add('a', checkpoint(399), 999)
    // Three more every 200 would not fit either: every 400.
    expect(cache.versions('a')).toEqual([399])
    expect(cache.isDue('a', 799)).toBe(true)
    expect(cache.isDue('a', 599)).toBe(false)
  })

  test('thinning keeps the checkpoints of the coarser spacing', () => {
    const cache = new CheckpointCache(W * 8, 100)
    cache.add('a', checkpoint(99), 999)
    cache.add('a', checkpoint(199), 999)
    expect(cache.isDue('a', 399)).toBe(true)
    expect(cache.isDue('a', 299)).toBe(false)
  })

  test('dropAbove forgets checkpoints past a shorter history; a budget of 0 keeps none', () => {
    const cache = new CheckpointCache(W * 10, 100)
    for (const v of [99, 199, 299]) cache.add('a', checkpoint(v))
    cache.dropAbove('a', 250)
    expect(cache.versions('a')).toEqual([99, 199])
    expect(cache.bytes).toBe(W * 2)
    const none = new CheckpointCache(0, 100)
    none.add('a', checkpoint(99))
    expect(none.versions('a')).toEqual([])
    expect(none.isDue('a', 99)).toBe(false)
  })
})

describe('a stored snapshot decoded again', () => {
  async function withSnapshots(): Promise<{ h: Harness; path: string }> {
    const path = newSqlitePath()
    const options = { snapshotPeriod: 100, checkpointCopyShare: Infinity }
    return { h: await connected('sqlite', options, path), path }
  }

  test('is kept as a checkpoint: a drag backwards stops decoding it, and answers stay exact', async () => {
    const { h, path } = await withSnapshots()
    const id = await seededAggregate(h, 500)
    await h.ok('getAggregate', { id })
    const steps = [380, 370, 360, 350]
    const reference = await referenceStates(path, id, steps)

    const views = []
    for (const at of steps) views.push(await h.ok('getAggregate', { id, at }))

    // The first two decode the snapshot at 299; the second keeps it; the rest restore a copy.
    expect(views.map((v) => v.fromCheckpoint?.version)).toEqual([undefined, undefined, 299, 299])
    expect(views.map((v) => v.eventsReplayed)).toEqual([81, 71, 61, 51])
    expect(views.map((v) => v.loadedFromSnapshot)).toEqual([299, 299, 299, 299])
    for (const [i, at] of steps.entries()) {
      const { state, stateOmitted, stateShortened } = views[i]!
      expect({ state, stateOmitted, stateShortened }, `v${at}`).toEqual(reference.get(at))
      expect(views[i]!.hashChain.checked).toEqual({
        kind: 'snapshotLinked',
        snapshotVersion: 299,
        fromVersion: 300,
        toVersion: at,
      })
    }
    expect(views[2]!.hashChain.message).toContain('decoded by an earlier answer')
  })

  test('jumps that never come back to a snapshot keep none of them', async () => {
    const { h } = await withSnapshots()
    const id = await seededAggregate(h, 500)
    await h.ok('getAggregate', { id })

    // Each decodes another snapshot (399, 199, 299, 99) once.
    for (const at of [450, 250, 350, 150]) await h.ok('getAggregate', { id, at })

    // So each of these decodes its snapshot again, from no checkpoint.
    for (const at of [255, 355, 155]) {
      const view = await h.ok('getAggregate', { id, at })
      expect(view.fromCheckpoint, `v${at}`).toBeUndefined()
      expect(view.eventsReplayed, `v${at}`).toBe(56)
    }
  })

  test('a kept snapshot whose event is then tampered with is reported, not trusted', async () => {
    const { h, path } = await withSnapshots()
    const id = await seededAggregate(h, 500)
    await h.ok('getAggregate', { id })
    await h.ok('getAggregate', { id, at: 380 })
    await h.ok('getAggregate', { id, at: 370 })
    forge(path, id, 299)

    const view = await h.ok('getAggregate', { id, at: 360 })

    expect(view.hashChain.status).toBe('broken')
    expect(view.fromCheckpoint).toBeUndefined()
  })
})
