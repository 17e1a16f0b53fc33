/**
 * The checks every Python store passes, on whichever database: every aggregate, version,
 * payload and snapshot the library wrote (as write_stores.py reports it) read back and decoded.
 */
import { expect } from 'vitest'
import type { ReportedApplication, ReportedRecord } from '../../../test/pythonStores'
import { DataIntegrityError } from '../../eventsourcing'
import { PythonCodec, type PythonRecord } from './codec'
import type { ListedEvent, PythonAggregateRow, PythonReader } from './reader'

/** Every aggregate, through pages of `pageSize` (the page token is the last id). */
export async function listAll(
  reader: PythonReader,
  pageSize: number,
): Promise<PythonAggregateRow[]> {
  const rows: PythonAggregateRow[] = []
  let afterId: string | undefined
  for (let pages = 0; pages < 1000; pages += 1) {
    const page = await reader.listAggregates({ limit: pageSize, ...(afterId ? { afterId } : {}) })
    rows.push(...page.items)
    if (!page.nextAfterId) return rows
    afterId = page.nextAfterId
  }
  throw new Error('paging did not end')
}

export async function checkApplication(
  reader: PythonReader,
  app: ReportedApplication,
  key: string,
): Promise<void> {
  const codec = new PythonCodec(app.encrypted ? key : undefined)
  expect(reader.hasLog).toBe(app.recorder === 'application')
  const listed = await listAll(reader, 2)
  const expected = [...app.aggregates].sort((a, b) => (a.id < b.id ? -1 : 1))
  expect(listed.map((r) => r.originatorId)).toEqual(expected.map((a) => a.id))
  expect(await reader.countAggregates()).toBe(expected.length)
  for (const [i, aggregate] of expected.entries()) {
    const row = listed[i]!
    expect(row.version).toBe(aggregate.version)
    expect(row.firstTopic.startsWith(`${aggregate.type}.`)).toBe(true)
    const events = await reader.events(aggregate.id)
    expect(events.map((e) => [e.originatorVersion, e.topic])).toEqual(
      aggregate.events.map((e) => [e.version, e.topic]),
    )
    for (const [j, record] of events.entries()) {
      expect(record.originatorId).toBe(aggregate.id)
      expect(codec.isEncrypted(record.state)).toBe(app.encrypted)
      expect(codec.decode(record)).toEqual(aggregate.events[j]!.payload)
      // The list's shortcut to the timestamp gives what the full decode gives, on every record.
      expect(codec.timestamp(record)).toBe(aggregate.events[j]!.payload['timestamp'])
    }
    const snapshots = await reader.snapshots(aggregate.id)
    expect(snapshots.map((s) => [s.originatorVersion, s.topic])).toEqual(
      aggregate.snapshots.map((s) => [s.version, s.topic]),
    )
    for (const [j, record] of snapshots.entries())
      expect(codec.decode(record)).toEqual(aggregate.snapshots[j]!.payload)
    // Ranges as the timeline reads them: a page after a version, newest first, bounded.
    const last = aggregate.version
    const tail = await reader.events(aggregate.id, { gt: last - 2, lte: last })
    expect(tail.map((e) => e.originatorVersion)).toEqual([last - 1, last].filter((v) => v >= 1))
    const [newest] = await reader.events(aggregate.id, { desc: true, limit: 1 })
    expect(newest?.originatorVersion).toBe(last)
  }
  // A page's first and newest events in one batch, as the list reads them; unknown ids left out.
  const missing = '00000000-0000-4000-8000-000000000000'
  const ends = await reader.ends([...expected.map((a) => a.id), missing])
  expect([...ends.keys()].sort()).toEqual(expected.map((a) => a.id))
  for (const aggregate of expected) {
    const found = ends.get(aggregate.id)!
    const first = aggregate.events[0]!
    const last = aggregate.events[aggregate.events.length - 1]!
    expect([found.first.originatorVersion, found.first.topic]).toEqual([first.version, first.topic])
    expect([found.last.originatorVersion, found.last.topic]).toEqual([last.version, last.topic])
    expect(codec.decode(found.last)).toEqual(last.payload)
  }
  expect((await reader.ends([])).size).toBe(0)
  // Prefix search: the first four hex digits of an id find it (and only ids starting so).
  const target = expected[expected.length - 1]!
  const prefix = target.id.slice(0, 4)
  const found = await reader.listAggregates({ limit: 50, idPrefix: prefix })
  expect(found.items.map((r) => r.originatorId)).toEqual(
    expected.filter((a) => a.id.startsWith(prefix)).map((a) => a.id),
  )
  expect((await reader.listAggregates({ limit: 5, idPrefix: target.id })).items).toHaveLength(1)
  await checkLog(reader, app, codec)
}

async function checkLog(
  reader: PythonReader,
  app: ReportedApplication,
  codec: PythonCodec,
): Promise<void> {
  const total = app.aggregates.reduce((n, a) => n + a.events.length, 0)
  if (app.recorder === 'aggregate') {
    expect(await reader.lastNotificationId()).toBeUndefined()
    expect(await reader.notifications(0, 10)).toEqual([])
    expect(await reader.recentChanges(undefined, 10)).toEqual([])
    return
  }
  expect(await reader.lastNotificationId()).toBe(total)
  const seen: number[] = []
  let after = 0
  for (;;) {
    const page = await reader.notifications(after, 7)
    if (page.length === 0) break
    seen.push(...page.map((r) => r.notificationId!))
    after = page[page.length - 1]!.notificationId!
  }
  expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1))
  await checkRecentChanges(reader, app, codec, total)
}

/**
 * The log read backwards in chunks of 3, as the list reads it: every notification once, newest
 * first, and each aggregate marked once, at its newest event, with its first event beside it.
 */
async function checkRecentChanges(
  reader: PythonReader,
  app: ReportedApplication,
  codec: PythonCodec,
  total: number,
): Promise<void> {
  const byId = new Map((await reader.notifications(0, total)).map((r) => [r.notificationId!, r]))
  const ids: number[] = []
  const marked: string[] = []
  let before: number | undefined
  for (;;) {
    const chunk = await reader.recentChanges(before, 3)
    for (const change of chunk) {
      ids.push(change.notificationId)
      if (!change.ends) continue
      const { first, last } = change.ends
      const logged = byId.get(change.notificationId)!
      expect([last.originatorId, last.originatorVersion, last.topic]).toEqual([
        logged.originatorId,
        logged.originatorVersion,
        logged.topic,
      ])
      const aggregate = app.aggregates.find((a) => a.id === last.originatorId)!
      const events = aggregate.events
      expect(last.originatorVersion).toBe(aggregate.version)
      expectListed(last, events[events.length - 1]!, app, codec, logged)
      expect([first.originatorId, first.originatorVersion, first.topic]).toEqual([
        aggregate.id,
        events[0]!.version,
        events[0]!.topic,
      ])
      expectListed(first, events[0]!, app, codec)
      marked.push(aggregate.id)
    }
    if (chunk.length < 3) break
    before = chunk[chunk.length - 1]!.notificationId
  }
  expect(ids).toEqual(Array.from({ length: total }, (_, i) => total - i))
  expect(marked.sort()).toEqual(app.aggregates.map((a) => a.id).sort())
  expect(await reader.recentChanges(1, 10)).toEqual([])
}

/**
 * A listed event: its timestamp, taken by the reader from a plain state (never from an
 * encrypted or compressed one), or its state, which decodes to what the library wrote.
 */
function expectListed(
  event: ListedEvent,
  expected: ReportedRecord,
  app: ReportedApplication,
  codec: PythonCodec,
  logged?: PythonRecord,
): void {
  expect((event.timestamp === undefined) !== (event.state === undefined)).toBe(true)
  if (event.timestamp !== undefined) {
    expect(app.encrypted || app.compressed).toBe(false)
    expect(event.timestamp).toBe(expected.payload['timestamp'])
    return
  }
  const record = { ...event, state: event.state! }
  expect(codec.decode(record)).toEqual(expected.payload)
  expect(codec.timestamp(record)).toBe(expected.payload['timestamp'])
  if (logged) expect(Buffer.from(record.state).equals(Buffer.from(logged.state))).toBe(true)
}

/** Every encrypted record of `app` fails, each with its own DataIntegrityError. */
export async function expectUndecodable(
  reader: PythonReader,
  app: ReportedApplication,
  codec: PythonCodec,
  reason: RegExp,
): Promise<void> {
  for (const aggregate of app.aggregates) {
    for (const record of [
      ...(await reader.events(aggregate.id)),
      ...(await reader.snapshots(aggregate.id)),
    ]) {
      let error: unknown
      try {
        codec.decode(record)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(DataIntegrityError)
      const integrity = error as DataIntegrityError
      expect(integrity.message).toMatch(reason)
      expect(integrity.details).toMatchObject({
        originatorId: aggregate.id,
        originatorVersion: record.originatorVersion,
        problem: 'undecodable',
      })
    }
  }
}
