/**
 * getActivity counts on from the sample it kept (activity.ts): after every kind of append it
 * answers what a count from nothing answers. The oracle is a second service freshly connected to
 * the same SQLite file, which has nothing kept.
 */
import { afterEach, describe, expect, test } from 'vitest'
import type { RequestOf } from '../../shared/contract'
import {
  closeOpenServices,
  connected,
  createExample,
  newSqlitePath,
  run,
  setFoo,
  type Harness,
} from './serviceTesting'

afterEach(closeOpenServices)

/** No snapshots: the long histories below are events alone. */
const OPTIONS = { snapshotPeriod: 0 }

/** What a service connected to `path` just now answers: a count from nothing. */
async function counted(path: string, request: RequestOf<'getActivity'>) {
  const fresh = await connected('sqlite', OPTIONS, path)
  try {
    return await fresh.ok('getActivity', request)
  } finally {
    await fresh.service.close()
  }
}

async function expectCountedAfresh(h: Harness, path: string, request: RequestOf<'getActivity'>) {
  const kept = await h.ok('getActivity', request)
  expect(kept).toEqual(await counted(path, request))
  return kept
}

describe('activity counted on from the kept sample', () => {
  test('store-wide: appends of every size, then past the sample', async () => {
    const path = newSqlitePath()
    const h = await connected('sqlite', OPTIONS, path)
    const all = { buckets: 30 }
    expect(await expectCountedAfresh(h, path, all)).toEqual({
      buckets: [],
      total: 0,
      sampled: false,
    })
    await h.ok('seedDemoData', { aggregates: 5, events: 7, taskId: 'seed-a' })
    expect((await expectCountedAfresh(h, path, all)).total).toBe(35)
    // Nothing new: the kept sample as it is.
    expect((await expectCountedAfresh(h, path, all)).total).toBe(35)
    const id = await createExample(h, 'one')
    await run(h, id, setFoo('two'), setFoo('three'))
    expect((await expectCountedAfresh(h, path, all)).total).toBe(38)
    // More entries than the sample holds arrive at once: counted afresh.
    await h.ok('seedDemoData', { aggregates: 10_004, events: 1, taskId: 'seed-b' })
    const past = await expectCountedAfresh(h, path, all)
    expect(past.sampled).toBe(true)
    expect(past.total).toBe(10_000)
    // A few more: the oldest leave the sample as they come in.
    await run(h, id, setFoo('four'))
    await h.ok('seedDemoData', { aggregates: 3, events: 2, taskId: 'seed-c' })
    const after = await expectCountedAfresh(h, path, all)
    expect(after.sampled).toBe(true)
    // The newest 10,000 entries: the four just made hold 7 events, the rest one each.
    expect(after.total).toBe(10_003)
  })

  test('store-wide: calls at once count each entry once', async () => {
    const path = newSqlitePath()
    const h = await connected('sqlite', OPTIONS, path)
    await h.ok('seedDemoData', { aggregates: 4, events: 3, taskId: 'seed-a' })
    await h.ok('getActivity', { buckets: 10 })
    await h.ok('seedDemoData', { aggregates: 6, events: 2, taskId: 'seed-b' })
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => h.ok('getActivity', { buckets: 10 })),
    )
    const fresh = await counted(path, { buckets: 10 })
    expect(fresh.total).toBe(24)
    for (const answer of answers) expect(answer).toEqual(fresh)
  })

  test('one aggregate: appends, then past the sample', async () => {
    const path = newSqlitePath()
    const h = await connected('sqlite', OPTIONS, path)
    const id = await createExample(h, 'one')
    const one = { id, buckets: 12 }
    expect((await expectCountedAfresh(h, path, one)).total).toBe(1)
    await run(h, id, setFoo('two'), setFoo('three'))
    await run(h, id, setFoo('four'))
    expect((await expectCountedAfresh(h, path, one)).total).toBe(4)
    // Other aggregates change nothing here.
    await createExample(h, 'other')
    expect((await expectCountedAfresh(h, path, one)).total).toBe(4)

    // execute takes up to 1,000 commands at a time.
    const thousand = Array.from({ length: 1_000 }, (_, i) => setFoo(`v${i}`))
    for (let i = 0; i < 9; i++) await run(h, id, ...thousand)
    await run(h, id, ...thousand.slice(0, 996))
    const full = await expectCountedAfresh(h, path, one)
    expect(full).toMatchObject({ total: 10_000, sampled: false })
    await run(h, id, setFoo('past'), setFoo('the sample'))
    expect(await expectCountedAfresh(h, path, one)).toMatchObject({
      total: 10_000,
      sampled: true,
      allEvents: 10_002,
    })
    // A jump of more than the sample: the kept versions all leave it.
    for (let i = 0; i < 11; i++) await run(h, id, ...thousand)
    expect(await expectCountedAfresh(h, path, one)).toMatchObject({
      total: 10_000,
      sampled: true,
      allEvents: 21_002,
    })
  })
})
