import { describe, expect, test } from 'vitest'
import { aggregateWithHistory, openApp, storedPartition } from '../../../test/applicationTestKit'
import type { ExampleAggregateRoot } from '../../example/exampleAggregateRoot'
import { SEED_CIPHER_KEY } from '../../example/seedSettings'
import { DataIntegrityError } from '../errors'
import { Mapper } from '../persistence/mapper'

/** The reads an explorer makes, all through the application (memory store, seed period 2). */
describe('Application read API', () => {
  test('latest and latestRecord: the newest version and class topic, and the newest record as stored', async () => {
    await using app = openApp({ cipherKey: SEED_CIPHER_KEY })
    const aggregate = await aggregateWithHistory(app, 4)

    expect(await app.latest(aggregate.id)).toEqual({
      version: 4,
      aggregateTopic: 'example#ExampleAggregateRoot',
    })
    const record = await app.latestRecord(aggregate.id)
    expect(record?.originatorVersion).toBe(4)
    expect(Mapper.isEncrypted(record!)).toBe(true)
    expect(await app.latest('00000000-0000-4000-8000-000000000000')).toBeUndefined()
    expect(await app.latestRecord('00000000-0000-4000-8000-000000000000')).toBeUndefined()
  })

  test('eventAt: the decoded event, undefined past the end; verified, a forged event is refused', async () => {
    await using app = openApp()
    const aggregate = await aggregateWithHistory(app, 4)

    expect((await app.eventAt(aggregate.id, 2))?.originatorVersion).toBe(2)
    expect((await app.eventAt(aggregate.id, 2, { verify: true }))?.originatorVersion).toBe(2)
    expect(await app.eventAt(aggregate.id, 9)).toBeUndefined()

    // Version 2 gets version 1's bytes: readable, but no longer linked to the event before it.
    const partition = storedPartition(app.store, aggregate.id)
    partition[2] = { ...partition[1]!, originatorVersion: 2 }
    expect((await app.eventAt(aggregate.id, 2))?.originatorVersion).toBe(2)
    await expect(app.eventAt(aggregate.id, 2, { verify: true })).rejects.toBeInstanceOf(
      DataIntegrityError,
    )
  })

  test('eventRecords, eventPages and verifiedEventPages read a range, raw or decoded', async () => {
    await using app = openApp()
    const aggregate = await aggregateWithHistory(app, 9)

    const records = await app.eventRecords(aggregate.id, { gt: 2, lte: 5 })
    expect(records.map((r) => r.originatorVersion)).toEqual([3, 4, 5])
    const pages: number[][] = []
    for await (const page of app.eventPages(aggregate.id, { gt: 5, pageSize: 2 }))
      pages.push(page.map((e) => e.originatorVersion))
    expect(pages).toEqual([
      [6, 7],
      [8, 9],
    ])
    const verified: number[] = []
    for await (const page of app.verifiedEventPages(aggregate.id, {
      fromVersion: 4,
      toVersion: 6,
    }))
      verified.push(...page.map((e) => e.originatorVersion))
    expect(verified).toEqual([4, 5, 6])
  })

  test('replay: to a version, with or without snapshots, and without verification to show a broken chain', async () => {
    await using app = openApp()
    const aggregate = await aggregateWithHistory(app, 9)

    const fromSnapshot = await app.replay(aggregate.id, { at: 6 })
    expect(fromSnapshot.snapshot?.originatorVersion).toBe(5)
    expect((fromSnapshot.aggregate as ExampleAggregateRoot).foo).toBe('bar6')
    const plain = await app.replay(aggregate.id, { at: 6, useSnapshots: false })
    expect(plain.snapshot).toBeUndefined()
    expect(plain.eventsApplied).toBe(7)

    const partition = storedPartition(app.store, aggregate.id)
    partition[8] = { ...partition[7]!, originatorVersion: 8 }
    await expect(app.replay(aggregate.id, { useSnapshots: false })).rejects.toBeInstanceOf(
      DataIntegrityError,
    )
    const unverified = await app.replay(aggregate.id, { useSnapshots: false, verify: false })
    expect(unverified.aggregate?.version).toBe(9)
  })

  test('snapshots and snapshotRecords: a range, decoded or as stored, even with snapshotting off', async () => {
    await using writer = openApp({ snapshotPeriod: 2 })
    const aggregate = await aggregateWithHistory(writer, 9)
    // Another application over the same store, taking no snapshots itself.
    await using reader = openApp({ store: writer.store, snapshotPeriod: 0 })

    const newest = await reader.snapshots(aggregate.id, { desc: true, limit: 2 })
    expect(newest.map((s) => [s.originatorVersion, s.state?.['_foo']])).toEqual([
      [9, 'bar9'],
      [7, 'bar7'],
    ])
    const raw = await reader.snapshotRecords(aggregate.id, { gte: 3, lte: 5 })
    expect(raw.map((r) => r.originatorVersion)).toEqual([3, 5])
  })

  test('log, listAggregates, countAggregates and verifyHistory', async () => {
    await using app = openApp()
    const one = await aggregateWithHistory(app, 3)
    const two = app.createExampleAggregate('two')
    await two.save()

    const [newest, before] = await app.log.read({ desc: true, limit: 2 })
    expect(newest?.originatorId).toBe(two.id)
    expect(before?.originatorId).toBe(one.id)
    expect(app.log.reorderWindowMs).toBe(0)
    expect(await app.countAggregates()).toBe(2)
    const page = await app.listAggregates({ limit: 10 })
    expect(page.items.map((i) => i.originatorId)).toEqual([two.id, one.id])
    const verification = await app.verifyHistory(one.id)
    expect(verification.problems).toEqual([])
    expect(verification.lastVersion).toBe(3)
    expect(app.storeKind).toBe('memory')
    expect(app.storeDescription).toMatch(/memory/)
  })
})
