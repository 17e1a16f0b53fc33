/**
 * A Cassandra coordinator that dies under a request, through a TCP proxy in front of the real
 * node: the request fails with StoreUnavailable, and a conditional write says it may be stored.
 */
import { randomUUID } from 'node:crypto'
import net from 'node:net'
import { describe, expect, test, vi } from 'vitest'
import { record, sleep, withStore } from '../../../../../test/cassandraRecorderTesting'
import {
  cassandraTestSettings,
  describeWithCassandra,
  openCassandraTestStore,
} from '../../../../../test/cassandraTestStore'
import { StoreUnavailable } from '../../../errors'
import type { CassandraApplicationRecorder } from './index'

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 })

/**
 * A TCP proxy in front of the test node: a coordinator that can stop answering (`hold`: requests
 * still reach Cassandra, answers are dropped) and then die (`dropConnections`).
 */
interface Proxy {
  readonly port: number
  hold: boolean
  /** Bytes sent on to Cassandra so far. */
  readonly forwarded: number
  dropConnections(): void
  close(): Promise<void>
}

async function startProxy(): Promise<Proxy> {
  const target = cassandraTestSettings().contactPoints[0]!
  const [host, port] = target.includes(':') ? target.split(':') : [target, '9042']
  const sockets = new Set<net.Socket>()
  const state = { hold: false, forwarded: 0 }
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), host!)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => {
        sockets.delete(s)
        client.destroy()
        upstream.destroy()
      })
    }
    client.on('data', (data: Buffer) => {
      state.forwarded += data.length
      upstream.write(data)
    })
    upstream.on('data', (data: Buffer) => {
      if (!state.hold) client.write(data)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    get hold() {
      return state.hold
    },
    set hold(value: boolean) {
      state.hold = value
    },
    get forwarded() {
      return state.forwarded
    },
    dropConnections: () => {
      for (const s of sockets) s.destroy()
    },
    close: () => {
      for (const s of sockets) s.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/** Runs `request` through a coordinator that receives it, never answers, and dies. */
async function coordinatorDiesUnder(
  proxy: Proxy,
  request: () => Promise<unknown>,
): Promise<unknown> {
  proxy.hold = true
  const before = proxy.forwarded
  const outcome = request().then(
    () => undefined,
    (e: unknown) => e,
  )
  for (let i = 0; i < 500 && proxy.forwarded === before; i++) await sleep(5)
  // The request must have reached Cassandra, or nothing below is about a coordinator dying under it.
  expect(proxy.forwarded, 'the request was forwarded to Cassandra').toBeGreaterThan(before)
  await sleep(300) // Cassandra has executed it; its answer is held back
  proxy.dropConnections()
  proxy.hold = false
  return outcome
}

await describeWithCassandra('cassandra', () => {
  describe('cassandra coordinator failure', () => {
    test('a coordinator dying under a request gives StoreUnavailable; a conditional write says it may have been stored', async () => {
      const proxy = await startProxy()
      const store = await openCassandraTestStore({
        contactPoints: [`127.0.0.1:${proxy.port}`],
        connectTimeoutMs: 2000,
      })
      try {
        const events = store.events as CassandraApplicationRecorder
        const id = randomUUID()
        await events.insert([record(id, 0, 'test#Dies.Created')])
        // Prepared beforehand, so that the request that dies is the write itself.
        await store.snapshots.insert([record(randomUUID(), 0, 'eventsourcing#Snapshot')])

        const write = await coordinatorDiesUnder(proxy, () =>
          store.snapshots.insert([record(id, 0, 'eventsourcing#Snapshot')]),
        )
        expect(write).toBeInstanceOf(StoreUnavailable)
        expect((write as Error).message).toMatch(/Socket was closed/)
        expect((write as Error).message).toMatch(
          new RegExp(`versions 0\\.\\.0 of ${id} may or may not have been stored`),
        )
        // It was: the request reached the node before the coordinator died.
        await withStore(async (direct) => {
          expect((await direct.snapshots.select(id)).map((r) => r.originatorVersion)).toEqual([0])
        })

        // A read: StoreUnavailable too, without the conditional write's warning (once the
        // driver has reconnected).
        let reconnected = false
        for (let i = 0; i < 100 && !reconnected; i++) {
          reconnected = await events.select(id).then(
            () => true,
            () => false,
          )
          if (!reconnected) await sleep(100)
        }
        // Else the read below would die on a connection that was never back, proving nothing.
        expect(reconnected, 'a read succeeds again within 10 s').toBe(true)
        const read = await coordinatorDiesUnder(proxy, () => events.select(id))
        expect(read).toBeInstanceOf(StoreUnavailable)
        expect((read as Error).message).not.toMatch(/may or may not/)
      } finally {
        await store.close()
        await proxy.close()
      }
    })
  })
})
