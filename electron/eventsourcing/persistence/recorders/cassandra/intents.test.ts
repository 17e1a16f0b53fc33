/**
 * The Cassandra recorder's intents on a real node: a writer that crashes between its intent, its
 * events and its confirmation, a loser's intent left behind, readers' repairs of the index and
 * the aggregate count.
 */
import { randomUUID } from 'node:crypto'
import { describe, expect, test, vi } from 'vitest'
import {
  bucketsSince,
  inList,
  record,
  sleep,
  withStore,
} from '../../../../../test/cassandraRecorderTesting'
import { describeWithCassandra, testKeyspace } from '../../../../../test/cassandraTestStore'
import { ConcurrencyError, StoreUnavailable } from '../../../errors'
import { CassandraApplicationRecorder } from './applicationRecorder'
import { shardOf } from './index'

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 })

await describeWithCassandra('cassandra', () => {
  describe('cassandra intents and repairs', () => {
    test('a crash after the intent and before the events shows no phantom, then is cleaned up', () =>
      withStore(
        async (_store, events) => {
          const countBefore = await events.countAggregates()
          const start = (await events.selectLog({ desc: true, limit: 1 }))[0]?.position
          const id = randomUUID()
          const type = `test#Phantom${randomUUID().slice(0, 8)}`
          const records = [record(id, 0, `${type}.Created`)]
          const intent = events.intentOf(records)
          await events.writeIntent(intent) // ... and the process dies here.

          // A later batch from another writer, stored and confirmed.
          const other = randomUUID()
          await events.insert([record(other, 0, `${type}.Created`)])

          const newest = await events.selectLog({ desc: true, limit: 10 })
          expect(newest.some((e) => e.originatorId === id)).toBe(false)
          expect(newest[0]!.originatorId).toBe(other)
          expect((await events.listAggregates({ limit: 10, idPrefix: id })).items).toEqual([])
          expect(
            (await events.listAggregates({ limit: 10, aggregateTopic: type })).items.map(
              (i) => i.originatorId,
            ),
          ).toEqual([other])
          expect(
            (
              await events.listAggregates({
                limit: 10,
                aggregateTopic: type,
                order: 'id',
                idPrefix: id.slice(0, 1),
              })
            ).items.map((i) => i.originatorId),
          ).not.toContain(id)
          expect(await events.countAggregates()).toBe(countBefore + 1)

          // A follower does not move past an intent that may still be stored...
          const follow = () =>
            events.selectLog({ ...(start === undefined ? {} : { after: start }), limit: 10 })
          expect(await follow()).toEqual([])
          // ... until it is old enough to be abandoned (intentTimeoutMs + 2 × maxClockSkewMs):
          // then it is skipped and deleted.
          await sleep(Math.max(0, intent.time.getTime() + 6200 - Date.now()))
          expect((await follow()).map((e) => e.originatorId)).toEqual([other])
          const left = await events.session.execute(
            `SELECT position FROM ${testKeyspace}.event_log WHERE bucket = ? AND position = ?`,
            [intent.bucket, intent.position],
          )
          expect(left.rows).toHaveLength(0)
          expect((await events.listAggregates({ limit: 10, idPrefix: id })).items).toEqual([])
          const index = await events.session.execute(
            `SELECT pending_version, version FROM ${testKeyspace}.aggregates WHERE shard = ? AND originator_id = ?`,
            [shardOf(id), id],
          )
          expect(index.first()?.['pending_version'] ?? null).toBeNull()

          // The id is free: a real save of it works and is listed.
          await events.insert(records)
          expect(
            (await events.listAggregates({ limit: 10, idPrefix: id })).items.map((i) => i.version),
          ).toEqual([0])
          expect(await events.countAggregates()).toBe(countBefore + 2)
        },
        // A clock limit of 0 would refuse this writer for a millisecond of measuring error.
        { intentTimeoutMs: 4000, maxClockSkewMs: 1000 },
      ))

    test('the intent of a losing batch, left behind, neither shows nor holds followers back', () =>
      withStore(async (_store, events) => {
        const id = randomUUID()
        await events.insert([record(id, 0, 'test#Loser.Created')])
        const start = (await events.selectLog({ desc: true, limit: 1 }))[0]!.position
        // Another writer of version 0 wrote its intent, lost, and died before deleting it.
        const intent = events.intentOf([
          { ...record(id, 0, 'test#Loser.Created'), state: Buffer.from('other writer') },
        ])
        await events.writeIntent(intent)
        const other = randomUUID()
        await events.insert([record(other, 0, 'test#Loser.Created')])
        expect(
          (await events.selectLog({ after: start, limit: 10 })).map((e) => e.originatorId),
        ).toEqual([other])
        const left = await events.session.execute(
          `SELECT position FROM ${testKeyspace}.event_log WHERE bucket = ? AND position = ?`,
          [intent.bucket, intent.position],
        )
        expect(left.rows).toHaveLength(0)
        expect(
          (await events.listAggregates({ limit: 5, idPrefix: id })).items.map((i) => i.version),
        ).toEqual([0])
      }))

    // The time guard of a save whose intent failed: its log row (written by the confirmation)
    // must reach the store within intentTimeoutMs / 2 of its position, or followers could miss it.
    test('a stored batch whose intent was lost, past half the intent timeout: StoreUnavailable, then confirmed in the background', () =>
      withStore(async (_store, events) => {
        let shift = 0
        const clocked = new CassandraApplicationRecorder(
          events.session,
          events.intentTimeoutMs,
          false,
          events.maxClockSkewMs,
          () => Date.now() + shift,
        )
        const intime: string = randomUUID()
        const late: string = randomUUID()
        const type = `test#Guard${randomUUID().slice(0, 8)}`
        // Within the time: the save waits for the confirmation and succeeds.
        clocked.saveFault = (step) => (step === 'intent' ? 'lose' : undefined)
        await clocked.insert([record(intime, 0, `${type}.Created`)])
        // Past it: the clock moves on between taking the position and storing the events.
        clocked.saveFault = (step) => {
          if (step === 'intent') return 'lose'
          if (step === 'events') shift = events.intentTimeoutMs / 2 + 1
          return undefined
        }
        const error = await clocked
          .insert([record(late, 0, `${type}.Created`)])
          .catch((e: unknown) => e)
        clocked.saveFault = undefined
        expect(error).toBeInstanceOf(StoreUnavailable)
        expect((error as Error).message).toMatch(
          new RegExp(
            `versions 0\\.\\.0 of ${late} were stored, but their log entry is not written yet \\(too slow\\)`,
          ),
        )
        expect((await events.select(late)).map((r) => r.originatorVersion)).toEqual([0])
        await clocked.settled(10_000) // the background retry, a second later
        const log = (await events.selectLog({ desc: true, limit: 50 })).filter((e) =>
          [intime, late].includes(e.originatorId),
        )
        expect(log.map((e) => e.originatorId).sort()).toEqual([intime, late].sort())
      }))

    test('a crash after the events and before the confirmation loses nothing', () =>
      withStore(async (_store, events) => {
        const countBefore = await events.countAggregates()
        const type = `test#Unconfirmed${randomUUID().slice(0, 8)}`

        // A new aggregate whose events were stored, but neither log nor index was confirmed.
        const created = randomUUID()
        const first = [record(created, 0, `${type}.Created`), record(created, 1, `${type}.Changed`)]
        const intent = events.intentOf(first)
        await events.writeIntent(intent)
        await events.storeRecords(first) // ... and the process dies here.

        // An existing aggregate whose second batch was stored but not confirmed.
        const existing = randomUUID()
        await events.insert([record(existing, 0, `${type}.Created`)])
        const second = [record(existing, 1, `${type}.Renamed`)]
        await events.writeIntent(events.intentOf(second))
        await events.storeRecords(second)

        const log = (await events.selectLog({ desc: true, limit: 10 })).filter(
          (e) => e.originatorId === created || e.originatorId === existing,
        )
        expect(log.map((e) => [e.originatorId, e.fromVersion, e.toVersion])).toEqual([
          [existing, 1, 1],
          [existing, 0, 0],
          [created, 0, 1],
        ])
        expect(log[2]!.topics).toEqual([`${type}.Created`, `${type}.Changed`])

        const recent = await events.listAggregates({ limit: 10, aggregateTopic: type })
        expect(recent.items.map((i) => [i.originatorId, i.version, i.lastTopic])).toEqual([
          [existing, 1, `${type}.Renamed`],
          [created, 1, `${type}.Changed`],
        ])
        const byId = await events.listAggregates({ limit: 10, aggregateTopic: type, order: 'id' })
        expect(byId.items.map((i) => i.originatorId)).toEqual([created, existing].sort())
        expect(await events.countAggregates()).toBe(countBefore + 2)

        // The rows were repaired: confirmed log row, advanced index.
        const logRow = await events.session.execute(
          `SELECT status FROM ${testKeyspace}.event_log WHERE bucket = ? AND position = ?`,
          [intent.bucket, intent.position],
        )
        expect(logRow.first()?.['status']).toBe(1)
        const indexRow = await events.session.execute(
          `SELECT version, aggregate_topic FROM ${testKeyspace}.aggregates WHERE shard = ? AND originator_id = ?`,
          [shardOf(created), created],
        )
        expect(String(indexRow.first()?.['version'])).toBe('1')
        expect(indexRow.first()?.['aggregate_topic']).toBe(type)
        // Listing again does not count it twice.
        await events.listAggregates({ limit: 10, aggregateTopic: type })
        expect(await events.countAggregates()).toBe(countBefore + 2)
      }))

    test('a losing writer does not leave the index behind a winner whose confirmation was lost', () =>
      withStore(async (_store, events) => {
        const id = randomUUID()
        const type = `test#Stale${randomUUID().slice(0, 8)}`
        await events.insert([record(id, 0, `${type}.Created`)])
        // The winner stores version 1 and dies before confirming it.
        const winner = [record(id, 1, `${type}.Changed`)]
        await events.writeIntent(events.intentOf(winner))
        await events.storeRecords(winner)
        // A later writer of version 1 loses and withdraws its intent.
        const loser = { ...record(id, 1, `${type}.Renamed`), state: Buffer.from('loser') }
        await expect(events.insert([loser])).rejects.toBeInstanceOf(ConcurrencyError)

        // Readers of the index alone (no log read yet) see version 1.
        const byId = await events.listAggregates({ limit: 5, idPrefix: id, order: 'id' })
        expect(byId.items.map((i) => [i.version, i.lastTopic])).toEqual([[1, `${type}.Changed`]])
        const index = await events.session.execute(
          `SELECT version FROM ${testKeyspace}.aggregates WHERE shard = ? AND originator_id = ?`,
          [shardOf(id), id],
        )
        expect(String(index.first()?.['version'])).toBe('1')
        const log = (await events.selectLog({ desc: true, limit: 20 })).filter(
          (e) => e.originatorId === id,
        )
        expect(log.map((e) => [e.fromVersion, e.toVersion])).toEqual([
          [1, 1],
          [0, 0],
        ])
        const recent = await events.listAggregates({ limit: 5, aggregateTopic: type })
        expect(recent.items.map((i) => [i.originatorId, i.version])).toEqual([[id, 1]])
      }))

    test('a reader repairing a stored log row advances the index too, never backwards', () =>
      withStore(async (_store, events) => {
        const id = randomUUID()
        const type = `test#Repair${randomUUID().slice(0, 8)}`
        const indexRow = async () =>
          (
            await events.session.execute(
              `SELECT version, last_position, pending_version FROM ${testKeyspace}.aggregates WHERE shard = ? AND originator_id = ?`,
              [shardOf(id), id],
            )
          ).first()
        await events.insert([record(id, 0, `${type}.Created`)])
        await events.settled() // its confirmation runs after the save returns
        const winner = [record(id, 1, `${type}.Changed`)]
        const intent = events.intentOf(winner)
        await events.writeIntent(intent)
        await events.storeRecords(winner) // ... and the winner dies before confirming.
        // Its pending index cells erased by a later writer's delete (as losers did before).
        await events.session.execute(
          `DELETE pending_version, pending_topic, pending_position FROM ${testKeyspace}.aggregates USING TIMESTAMP ? WHERE shard = ? AND originator_id = ?`,
          [intent.micros.add(1000), shardOf(id), id],
        )
        expect(String((await indexRow())?.['version'])).toBe('0')
        expect((await indexRow())?.['pending_version'] ?? null).toBeNull()

        const log = (await events.selectLog({ desc: true, limit: 20 })).filter(
          (e) => e.originatorId === id,
        )
        expect(log.map((e) => e.toVersion)).toEqual([1, 0])
        const repaired = await indexRow()
        expect(String(repaired?.['version'])).toBe('1')
        expect(String(repaired?.['last_position'])).toBe(intent.position)
        const byId = await events.listAggregates({ limit: 5, idPrefix: id, order: 'id' })
        expect(byId.items.map((i) => i.version)).toEqual([1])

        // Version 2 confirmed; the version-1 row repaired again (say, its confirmation was lost
        // once more) does not move the index back.
        await events.insert([record(id, 2, `${type}.Changed`)])
        await events.settled()
        await events.session.execute(
          `UPDATE ${testKeyspace}.event_log SET status = 0 WHERE bucket = ? AND position = ?`,
          [intent.bucket, intent.position],
        )
        await events.selectLog({ desc: true, limit: 20 })
        const status = await events.session.execute(
          `SELECT status FROM ${testKeyspace}.event_log WHERE bucket = ? AND position = ?`,
          [intent.bucket, intent.position],
        )
        expect(status.first()?.['status']).toBe(1)
        expect(String((await indexRow())?.['version'])).toBe('2')
      }))

    test('the aggregate count stays exact when a count write or its answer is lost, and repairs count once', () =>
      withStore(async (_store, events) => {
        const started = Date.now()
        const countBefore = await events.countAggregates()
        const type = `test#Count${randomUUID().slice(0, 8)}`
        // All in one shard, so that they contend for the same count row.
        const inShard = () => `c7${randomUUID().slice(2)}`
        const session = events.session
        const execute = session.execute.bind(session)
        let fault: 'request lost' | 'answer lost' | undefined
        session.execute = async (query, params, options) => {
          // The count's write (the old counter increment, or the new shard row's update).
          if (fault !== undefined && /^UPDATE \S+\.aggregate_count/.test(query)) {
            const lost = fault
            fault = undefined
            if (lost === 'answer lost') await execute(query, params, options)
            throw session.unavailable(new Error(`simulated timeout (${lost})`))
          }
          return execute(query, params, options)
        }
        try {
          const lostRequest = inShard()
          fault = 'request lost'
          await events.insert([record(lostRequest, 0, `${type}.Created`)])
          await events.settled() // the count is written after the save returns
          expect(fault).toBeUndefined()

          const lostAnswer = inShard()
          fault = 'answer lost'
          await events.insert([record(lostAnswer, 0, `${type}.Created`)])
          await events.settled()
          expect(fault).toBeUndefined()

          // Another creation in the same shard, counted before anyone repairs the ones above.
          const next = inShard()
          await events.insert([record(next, 0, `${type}.Created`)])

          // A creation stored but never confirmed, repaired by several readers at once.
          const crashed = inShard()
          const crashedRecords = [record(crashed, 0, `${type}.Created`)]
          await events.writeIntent(events.intentOf(crashedRecords))
          await events.storeRecords(crashedRecords)

          await Promise.all([
            ...Array.from({ length: 4 }, () => events.selectLog({ desc: true, limit: 50 })),
            events.listAggregates({ limit: 50, aggregateTopic: type }),
            events.listAggregates({ limit: 50, aggregateTopic: type, order: 'id' }),
          ])
          expect(await events.countAggregates()).toBe(countBefore + 4)
          // Every log row confirmed, so later readers have nothing left to count.
          const log = (await events.selectLog({ desc: true, limit: 50 })).filter((e) =>
            [lostRequest, lostAnswer, next, crashed].includes(e.originatorId),
          )
          expect(log).toHaveLength(4)
          // In the hours the writes went to (the hour may have turned during the test).
          const hours = inList(bucketsSince(started))
          const rows = await session.execute(
            `SELECT originator_id, status FROM ${testKeyspace}.event_log WHERE bucket ${hours.sql}`,
            hours.params,
          )
          expect(
            rows.rows
              .filter((r) => log.some((e) => e.originatorId === String(r['originator_id'])))
              .map((r) => r['status']),
          ).toEqual([1, 1, 1, 1])
          await events.listAggregates({ limit: 50, aggregateTopic: type })
          expect(await events.countAggregates()).toBe(countBefore + 4)
        } finally {
          session.execute = execute
        }
      }))
  })
})
