import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type {
  ApplicationRecorder,
  RecordQuery,
  StateSplit,
  Store,
  StoredRecord,
} from '../eventsourcing'

/**
 * Gives the event loop a turn now and then during long reads: SQLite calls are synchronous, so
 * without this a 100,000-event replay would hold off cancelTask, other requests and the
 * follower until it ends.
 */
export function yieldingStore(store: Store): Store {
  const events = store.events
  let lastYield = performance.now()
  const maybeYield = async (): Promise<void> => {
    const now = performance.now()
    if (now - lastYield < 15) return
    await yieldToEventLoop()
    lastYield = performance.now()
  }
  const recorder: ApplicationRecorder = {
    insert: async (records) => {
      await maybeYield()
      return events.insert(records)
    },
    select: async (id, query) => {
      await maybeYield()
      return events.select(id, query)
    },
    // Only where the store offers it: a store without it refuses a save of several aggregates.
    ...(events.insertBatches === undefined
      ? {}
      : {
          insertBatches: async (batches: readonly (readonly StoredRecord[])[]) => {
            await maybeYield()
            return events.insertBatches!(batches)
          },
        }),
    // Reads the store offers beyond select: without them every replay here read whole rows
    // (a Buffer each) and rebuilt each event's hashed text (eventStore.checkedPages), and
    // version lists read every state.
    ...(events.selectSplit === undefined
      ? {}
      : {
          selectSplit: async (id: string, query: RecordQuery, split: StateSplit | undefined) => {
            await maybeYield()
            return events.selectSplit!(id, query, split)
          },
        }),
    ...(events.selectVersions === undefined
      ? {}
      : {
          selectVersions: async (id: string, query?: RecordQuery) => {
            await maybeYield()
            return events.selectVersions!(id, query)
          },
        }),
    ...(events.storedOriginatorIds === undefined
      ? {}
      : {
          storedOriginatorIds: async function* () {
            for await (const ids of events.storedOriginatorIds!()) {
              await maybeYield()
              yield ids
            }
          },
        }),
    // The store's own page size (SQLite reads a replay best in pages of 1,000).
    ...(events.pageSize === undefined ? {} : { pageSize: events.pageSize }),
    selectLog: (query) => events.selectLog(query),
    listAggregates: (query) => events.listAggregates(query),
    countAggregates: () => events.countAggregates(),
    ...(events.logReorderWindowMs === undefined
      ? {}
      : { logReorderWindowMs: events.logReorderWindowMs }),
  }
  return {
    kind: store.kind,
    description: store.description,
    events: recorder,
    snapshots: store.snapshots,
    close: () => store.close(),
  }
}
