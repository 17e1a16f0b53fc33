/**
 * What the memory and SQLite recorders' edge tests share: a one-byte record, four aggregates
 * written in a known order for the listing tests, and the ids a page lists.
 */
import type { ApplicationRecorder, StoredRecord } from '../electron/eventsourcing'

export const rec = (id: string, version: number, topic = 'shop:Cart.Added'): StoredRecord => ({
  originatorId: id,
  originatorVersion: version,
  topic,
  state: Uint8Array.of(version),
})

/** Insertion order c, a, d, b; d and b are orders, a and c carts. */
export async function insertFourAggregates(events: ApplicationRecorder): Promise<void> {
  await events.insert([rec('c', 1)])
  await events.insert([rec('a', 1)])
  await events.insert([rec('d', 1, 'shop:Order.Placed')])
  await events.insert([rec('b', 1, 'shop:Order.Placed')])
}

export const ids = (page: { items: { originatorId: string }[] }) =>
  page.items.map((i) => i.originatorId)
