import { describe, expect, test, vi } from 'vitest'
import { Keeper } from '../../explorer/snapshotFailureTestType'
import { createMemoryStore } from '../persistence/recorders/memory'
import { Application } from './application'
import type { SnapshotAttempt } from './policies'

type Outcome =
  | { outcome: 'failed'; message: string; originatorId: string; versions: readonly number[] }
  | { outcome: 'taken'; originatorId: string; versions: readonly number[] }

/** An application with period 2 (due at 1, 3, 5, …) whose hooks write down what they hear. */
function reportingApp(options: { readOnly?: boolean } = {}) {
  const outcomes: Outcome[] = []
  const store = createMemoryStore()
  const open = (readOnly = options.readOnly ?? false) =>
    new Application({
      store,
      snapshotPeriod: 2,
      readOnly,
      onSnapshotFailure: (error, failed: SnapshotAttempt) =>
        outcomes.push({ outcome: 'failed', message: (error as Error).message, ...failed }),
      onSnapshotsTaken: (taken) => outcomes.push({ outcome: 'taken', ...taken }),
    })
  return { app: open(), open, store, outcomes }
}

const UNREGISTERED =
  'cannot transcode an instance of unregistered class Forgotten; register it with a topic'

describe('the snapshot hooks (onSnapshotFailure, onSnapshotsTaken)', () => {
  test('given a state holding an unregistered class, when a save makes a snapshot due, then the save stands and the failure hook hears why; a later snapshot that succeeds is reported taken', async () => {
    const warn = vi.spyOn(console, 'warn')
    const { app, store, outcomes } = reportingApp()
    const keeper = Keeper.create({})
    keeper.keep() // v1: due, and its state holds a Forgotten
    await app.save(keeper)

    expect((await app.latest(keeper.id))?.version).toBe(1)
    expect(outcomes).toEqual([
      { outcome: 'failed', message: UNREGISTERED, originatorId: keeper.id, versions: [1] },
    ])
    expect(await store.snapshots.select(keeper.id)).toEqual([])

    keeper.forget() // v2
    keeper.touch() // v3: due, and nothing unregistered is left
    await app.save(keeper)

    expect(outcomes.slice(1)).toEqual([
      { outcome: 'taken', originatorId: keeper.id, versions: [3] },
    ])
    expect((await store.snapshots.select(keeper.id)).map((r) => r.originatorVersion)).toEqual([3])
    // The hooks replace the console: the library logged nothing.
    expect(warn).not.toHaveBeenCalled()
    warn.mockRestore()
    await app.close()
  })

  test('given a load that catches up on missed snapshots, then its failure goes to the hook and the load stands', async () => {
    const { app, open, outcomes } = reportingApp()
    const keeper = Keeper.create({})
    keeper.keep('invalidDate') // v1
    keeper.touch() // v2
    await app.save(keeper)
    await app.close()
    outcomes.length = 0

    const reader = open()
    const { aggregate } = await reader.replay(keeper.id)

    expect(aggregate?.version).toBe(2)
    expect(outcomes).toEqual([
      expect.objectContaining({ outcome: 'failed', originatorId: keeper.id, versions: [1] }),
    ])
    expect((outcomes[0] as { message: string }).message).toMatch(/invalid/i)
    await reader.close()
  })

  test('given missing snapshots a caller found, when takeSnapshots succeeds or fails, then the hooks hear which, and it never throws', async () => {
    const { app, outcomes } = reportingApp()
    const keeper = Keeper.create({})
    keeper.touch() // v1: taken
    keeper.keep() // v2
    keeper.touch() // v3: fails
    await app.save(keeper)
    outcomes.length = 0

    await expect(app.takeSnapshots(keeper.id, [3])).resolves.toBeUndefined()
    await app.takeSnapshots(keeper.id, [1])

    expect(outcomes).toEqual([
      { outcome: 'failed', message: UNREGISTERED, originatorId: keeper.id, versions: [3] },
      { outcome: 'taken', originatorId: keeper.id, versions: [1] },
    ])
    await app.close()
  })

  test('given hooks that throw, then the save and the load still stand', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const store = createMemoryStore()
    const app = new Application({
      store,
      snapshotPeriod: 2,
      onSnapshotFailure: () => {
        throw new Error('failure hook down')
      },
      onSnapshotsTaken: () => {
        throw new Error('taken hook down')
      },
    })
    const keeper = Keeper.create({})
    keeper.keep() // v1: fails
    await app.save(keeper)
    keeper.forget()
    keeper.touch() // v3: taken
    await app.save(keeper)

    expect((await app.replay(keeper.id)).aggregate?.version).toBe(3)
    expect(warn.mock.calls.map((call) => String(call[0]))).toEqual([
      expect.stringContaining(`snapshot of ${keeper.id} at version 1 not taken`),
      'the snapshot failure handler failed too:',
      'the snapshots-taken handler failed:',
    ])
    warn.mockRestore()
    await app.close()
  })
})
