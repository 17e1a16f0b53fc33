/** What the library's application tests share: an application over a memory store, a history, probes. */
import {
  createMemoryStore,
  type ApplicationOptions,
  type Store,
  type StoredRecord,
} from '../electron/eventsourcing'
import { EverythingApplication } from '../electron/example/everythingApplication'
import type { ExampleAggregateRoot } from '../electron/example/exampleAggregateRoot'

export type AppOptions = Partial<ApplicationOptions>

export function openApp(options: AppOptions = {}): EverythingApplication {
  return new EverythingApplication({
    store: createMemoryStore(),
    ...options,
  })
}

/**
 * Creates an aggregate with foo = bar0 at v0 and foo = bar<v> at every later version up to
 * `last`, saved in batches of uneven sizes (1, 3, 2, 1, 2, ...).
 */
export async function aggregateWithHistory(
  app: EverythingApplication,
  last = 9,
): Promise<ExampleAggregateRoot> {
  const aggregate = app.createExampleAggregate('bar0')
  await aggregate.save()
  const batchSizes = [1, 3, 2, 1, 2]
  let version = 1
  for (let i = 0; version <= last; i++) {
    const size = batchSizes[i % batchSizes.length]!
    for (let n = 0; n < size && version <= last; n++, version++) aggregate.foo = `bar${version}`
    await aggregate.save()
  }
  return aggregate
}

/** The stored records of one aggregate in the memory recorder, for tests that damage them. */
export function storedPartition(store: Store, originatorId: string): StoredRecord[] {
  const partitions = (store.events as unknown as { partitions: Map<string, StoredRecord[]> })
    .partitions
  const partition = partitions.get(originatorId)
  if (!partition) throw new Error(`nothing stored for ${originatorId}`)
  return partition
}

export async function snapshotVersions(app: EverythingApplication, id: string): Promise<number[]> {
  return (await app.store.snapshots.select(id)).map((r) => r.originatorVersion)
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection, but the promise resolved')
}

/** The error `body` throws; fails the test when it throws none. */
export function captureError(body: () => unknown): unknown {
  try {
    body()
  } catch (error) {
    return error
  }
  throw new Error('expected an error, but none was thrown')
}
