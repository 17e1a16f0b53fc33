/**
 * A writer abandoned (or losing a request, or its answer) at each statement of a save (the index
 * advance and the CONFIRMED log row are two), on a real node, through the recorder's `saveFault` seam: after readers repair, the log lists every stored
 * batch exactly once and nothing else, every acknowledged batch is stored, and the index and the
 * count match the events table.
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
import { WriterHalted, type SaveFault, type SaveStep } from './index'

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 })

const STEPS: readonly SaveStep[] = ['intent', 'events', 'count', 'index', 'confirm']
const FAULTS: readonly SaveFault[] = ['halt', 'lose', 'noAnswer']
const INTENT_TIMEOUT_MS = 4000
const MAX_CLOCK_SKEW_MS = 1000

interface Case {
  readonly name: string
  readonly id: string
  /** The faulted batch's versions: a creation (0..0) or a later batch (1..2). */
  readonly from: number
  readonly to: number
  outcome?: 'acknowledged' | 'failed'
}

await describeWithCassandra('cassandra', () => {
  describe('cassandra save crashes', () => {
    test('a writer stopped at any step leaves a log and an index that readers complete, each batch once', () =>
      withStore(
        async (_store, events) => {
          const type = `test#Crash${randomUUID().slice(0, 8)}`
          const start = (await events.selectLog({ desc: true, limit: 1 }))[0]?.position
          const countBefore = await events.countAggregates()
          const cases: Case[] = []
          for (const step of STEPS) {
            for (const fault of FAULTS) {
              for (const later of [false, true]) {
                const c: Case = {
                  name: `${fault} at ${step}, ${later ? 'later batch' : 'creation'}`,
                  id: randomUUID(),
                  from: later ? 1 : 0,
                  to: later ? 2 : 0,
                }
                cases.push(c)
                if (later) await events.insert([record(c.id, 0, `${type}.Created`)])
                const batch = Array.from({ length: c.to - c.from + 1 }, (_, i) =>
                  record(c.id, c.from + i, `${type}.${c.from + i === 0 ? 'Created' : 'Changed'}`),
                )
                events.saveFault = (s) => (s === step ? fault : undefined)
                try {
                  await events.insert(batch)
                  c.outcome = 'acknowledged'
                } catch (error) {
                  if (fault === 'halt') expect(error).toBeInstanceOf(WriterHalted)
                  c.outcome = 'failed'
                }
                await events.settled() // background steps see the fault too
                events.saveFault = undefined
              }
            }
          }
          // A faulted confirmation never fails the save; a lost intent is made up for at once.
          for (const c of cases) {
            const background = ['count', 'index', 'confirm'].some((s) => c.name.includes(`at ${s}`))
            const intentFault = c.name.includes('at intent') && !c.name.startsWith('halt')
            if (background || intentFault) expect(c.outcome, c.name).toBe('acknowledged')
            else expect(c.outcome, c.name).toBe('failed')
          }
          // A correct writer afterwards; then intents without events grow old (abandoned).
          const after = randomUUID()
          await events.insert([record(after, 0, `${type}.Created`)])
          await sleep(INTENT_TIMEOUT_MS + 2 * MAX_CLOCK_SKEW_MS + 500)

          const ids = new Set([...cases.map((c) => c.id), after])
          const expected: string[] = [`${after} 0..0`]
          const lastVersion = new Map<string, number>([[after, 0]])
          for (const c of cases) {
            const stored = (await events.select(c.id)).map((r) => r.originatorVersion)
            const faulted = stored.includes(c.to)
            // The truth is the events table: an acknowledged batch is always there.
            if (c.outcome === 'acknowledged') expect(faulted, c.name).toBe(true)
            if (c.from > 0) expect(stored.slice(0, 1), c.name).toEqual([0])
            if (c.from > 0) expected.push(`${c.id} 0..0`)
            if (faulted) expected.push(`${c.id} ${c.from}..${c.to}`)
            if (stored.length > 0) lastVersion.set(c.id, stored[stored.length - 1]!)
          }
          // Readers: the log oldest first (a follower), newest first, the index both ways.
          await expectRepairedReaders(events, testKeyspace, {
            start,
            type,
            ids,
            expected,
            lastVersion,
            countBefore,
            pageSize: 50,
          })
        },
        { intentTimeoutMs: INTENT_TIMEOUT_MS, maxClockSkewMs: MAX_CLOCK_SKEW_MS },
      ))
  })
})
