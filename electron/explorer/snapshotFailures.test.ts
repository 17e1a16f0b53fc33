/**
 * A snapshot that cannot be taken (a user type's state holds an instance of an unregistered
 * class, or an Invalid Date): the save and the load stand, and getAggregate says why the
 * aggregate has no new snapshots, until one succeeds.
 */
import { afterEach, describe, expect, test, vi } from 'vitest'
import { KEEPER } from './snapshotFailureTestType'
import { closeOpenServices, connected, newSqlitePath, type Harness } from './serviceTesting'
import { SnapshotFailures } from './snapshotFailures'

vi.setConfig({ testTimeout: 30_000 })

afterEach(async () => {
  vi.restoreAllMocks()
  await closeOpenServices()
})

const UNREGISTERED =
  'cannot transcode an instance of unregistered class Forgotten; register it with a topic'

/** A keeper created and given `commands` in one batch (period 2: v1 is due); its id. */
async function keeper(h: Harness, ...commands: string[]): Promise<string> {
  const created = await h.ok('execute', {
    type: KEEPER,
    expectedVersion: -1,
    commands: [{ name: 'create' }, ...commands.map((name) => ({ name }))],
  })
  return created.id
}

describe('getAggregate of an aggregate whose snapshots cannot be taken', () => {
  test('given a state holding an unregistered class, then the save stands, the view carries the failure, the log says it once, and a later snapshot clears it', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const h = await connected('sqlite')
    const id = await keeper(h, 'keep') // v1 due: fails

    const view = await h.ok('getAggregate', { id })
    await h.ok('getAggregate', { id, at: 1 })
    const again = await h.ok('getAggregate', { id })

    expect(view.version).toBe(1)
    expect(view.snapshotFailure).toEqual({
      version: 1,
      at: expect.any(String) as string,
      message: UNREGISTERED,
    })
    expect(again.snapshotFailure?.message).toBe(UNREGISTERED)
    expect((await h.ok('listSnapshotSummaries', { id })).items).toEqual([])
    const logged = warn.mock.calls.filter((call) => String(call[0]).includes(id))
    expect(logged).toHaveLength(1)
    expect(String(logged[0]![0])).toContain(UNREGISTERED)

    await h.ok('execute', {
      id,
      expectedVersion: 1,
      commands: [{ name: 'forget' }, { name: 'touch' }], // v3 due: taken
    })

    const fixed = await h.ok('getAggregate', { id })
    expect(fixed.version).toBe(3)
    expect(fixed.snapshotFailure).toBeUndefined()
    expect((await h.ok('listSnapshotSummaries', { id })).items.map((s) => s.version)).toEqual([3])
  })

  test('given an Invalid Date in the state, when a later connection loads it, then the load tries the missed snapshot again and the view says why', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const path = newSqlitePath()
    const writer = await connected('sqlite', {}, path)
    const id = await keeper(writer, 'keepInvalidDate', 'touch') // v1 due: fails
    const fine = await keeper(writer, 'touch') // v1 taken: failures are per aggregate
    await closeOpenServices()

    const reader = await connected('sqlite', {}, path)
    const view = await reader.ok('getAggregate', { id })

    expect(view.version).toBe(2)
    expect(view.snapshotFailure).toMatchObject({ version: 1 })
    expect(view.snapshotFailure?.message).toMatch(/invalid/i)
    expect((await reader.ok('getAggregate', { id: fine })).snapshotFailure).toBeUndefined()
  })
})

describe('SnapshotFailures', () => {
  const failedAt = (versions: number[]) => ({ originatorId: 'a', versions })

  test('given a failure, when an older snapshot is taken, then it stays; a snapshot at or after it clears it', () => {
    const failures = new SnapshotFailures(10, () => {})
    failures.failed(new Error('nope'), failedAt([3, 5]))

    failures.taken(failedAt([1]))
    expect(failures.latest('a')).toMatchObject({ version: 5, message: 'nope' })

    failures.taken(failedAt([5]))
    expect(failures.latest('a')).toBeUndefined()
  })

  test('given more aggregates than it keeps, then the least recently failed or shown is forgotten', () => {
    const failures = new SnapshotFailures(2, () => {})
    failures.failed(new Error('one'), { originatorId: 'a', versions: [1] })
    failures.failed(new Error('two'), { originatorId: 'b', versions: [1] })
    failures.latest('a')
    failures.failed(new Error('three'), { originatorId: 'c', versions: [1] })

    expect(failures.latest('a')?.message).toBe('one')
    expect(failures.latest('b')).toBeUndefined()
    expect(failures.latest('c')?.message).toBe('three')
  })

  test('given the same reason again, then it is logged once; a new reason is logged again', () => {
    const log = vi.fn()
    const failures = new SnapshotFailures(10, log)
    failures.failed(new Error('disk full'), failedAt([1]))
    failures.failed(new Error('disk full'), failedAt([3]))
    failures.failed(new Error('timeout'), failedAt([3]))

    expect(log).toHaveBeenCalledTimes(2)
    expect(failures.latest('a')).toMatchObject({ version: 3, message: 'timeout' })
  })
})
