/**
 * A writer that dies in the middle of a run of saves, on a real node: saves share requests
 * (outbox.ts), so one request may hold a save's intent beside the index advance of the save
 * before it and the CONFIRMED log row of the one before that. The crash-test seam kills the
 * writer at the n-th time it reaches a step (from then on it sends nothing), saving one at a time
 * and four at once; after readers repair, the log lists every stored batch once and nothing else,
 * every acknowledged save is stored, and the index and the count match the events table.
 */
import { randomUUID } from 'node:crypto'
import { describe, expect, test, vi } from 'vitest'
import {
  expectRepairedReaders,
  record,
  sleep,
  withStore,
} from '../../../../../test/cassandraRecorderTesting'
import { describeWithCassandra, testKeyspace } from '../../../../../test/cassandraTestStore'
import { CassandraApplicationRecorder } from './applicationRecorder'
import type { SaveStep } from './index'

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 })

const STEPS: readonly SaveStep[] = ['intent', 'events', 'count', 'index', 'confirm']
const INTENT_TIMEOUT_MS = 4000
const MAX_CLOCK_SKEW_MS = 1000
/** Saves per lane, alternating between the lane's two aggregates (two creations each lane). */
const SAVES = 6

interface Lane {
  readonly ids: [string, string]
  /** Acknowledged versions per aggregate. */
  readonly acknowledged: Map<string, number[]>
}

await describeWithCassandra('cassandra', () => {
  describe('cassandra writer dying mid-run', () => {
    test('killed at each step of a run of shared requests, the log and the index end complete', () =>
      withStore(
        async (_store, events) => {
          const type = `test#Pipeline${randomUUID().slice(0, 8)}`
          const start = (await events.selectLog({ desc: true, limit: 1 }))[0]?.position
          const countBefore = await events.countAggregates()
          const lanes: Lane[] = []
          const unreached: string[] = []
          let lost = 0
          // Killed at the `at`-th time at `step`; or (step 'lost index') the `at`-th index advance
          // lost (its log row then stays pending) and the writer killed before the events of that
          // aggregate's next save, whose intent has overwritten the index row's pending cells.
          const cases = [
            ...STEPS.flatMap((step) => [1, 4].map((width) => ({ step, width }))),
            { step: 'lost index' as const, width: 1 },
          ]
          for (const { step, width } of cases) {
            for (const at of [1, 2, 3]) {
              const writer = new CassandraApplicationRecorder(
                events.session,
                INTENT_TIMEOUT_MS,
                false,
                MAX_CLOCK_SKEW_MS,
              )
              let reached = 0
              let dead = false
              let eventSteps = 0
              let dieAtEvents = Number.POSITIVE_INFINITY
              writer.saveFault = (s) => {
                if (s === 'events') eventSteps++
                if (step === 'lost index') {
                  if (s === 'index' && ++reached === at) {
                    // The same aggregate's next save (lanes alternate) if the advance lost was
                    // the last save's; a creation's comes later (after its count), and then the
                    // writer may outlive the run, which is a case too.
                    dieAtEvents = eventSteps + 2
                    lost++
                    return 'lose'
                  }
                  if (eventSteps === dieAtEvents) dead = true
                } else if (!dead && s === step && ++reached === at) dead = true
                return dead ? 'halt' : undefined
              }
              const run = Array.from({ length: width }, async () => {
                const lane: Lane = {
                  ids: [randomUUID(), randomUUID()],
                  acknowledged: new Map(),
                }
                lanes.push(lane)
                for (let i = 0; i < SAVES; i++) {
                  const id = lane.ids[i % 2]!
                  const version = Math.floor(i / 2)
                  const topic = `${type}.${version === 0 ? 'Created' : 'Changed'}`
                  try {
                    await writer.insert([record(id, version, topic)])
                  } catch {
                    return // this writer is dead (or its save failed): the lane stops
                  }
                  lane.acknowledged.set(id, [...(lane.acknowledged.get(id) ?? []), version])
                }
              })
              await Promise.all(run)
              await writer.settled()
              if (!dead && step !== 'lost index') unreached.push(`${step} at ${at}, width ${width}`)
            }
          }
          // Every case reaches its step but one (a single lane has two creations: not 'count' at 3).
          expect(unreached).toEqual(['count at 3, width 1'])
          expect(lost).toBe(3)
          // Intents without events grow old (abandoned).
          await sleep(INTENT_TIMEOUT_MS + 2 * MAX_CLOCK_SKEW_MS + 500)

          const ids = new Set(lanes.flatMap((l) => l.ids))
          const expected: string[] = []
          const lastVersion = new Map<string, number>()
          for (const lane of lanes) {
            for (const id of lane.ids) {
              const stored = (await events.select(id)).map((r) => r.originatorVersion)
              // The truth is the events table: every acknowledged save is there, contiguous.
              for (const v of lane.acknowledged.get(id) ?? []) expect(stored).toContain(v)
              expect(stored).toEqual(stored.map((_, i) => i))
              for (const v of stored) expected.push(`${id} ${v}..${v}`)
              if (stored.length > 0) lastVersion.set(id, stored[stored.length - 1]!)
            }
          }
          await expectRepairedReaders(events, testKeyspace, {
            start,
            type,
            ids,
            expected,
            lastVersion,
            countBefore,
            pageSize: 100,
          })
        },
        { intentTimeoutMs: INTENT_TIMEOUT_MS, maxClockSkewMs: MAX_CLOCK_SKEW_MS },
      ))
  })
})
