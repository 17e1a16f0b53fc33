import type { DomainEvent } from '../domain/events'
import { ConfigurationError } from '../errors'
import type { Mapper } from '../persistence/mapper'
import type { AggregateRecorder, RecordQuery } from '../persistence/recorder'

export interface ReadOptions {
  readonly gt?: number
  readonly lte?: number
  /** Records per round trip (default: the recorder's pageSize, else 5,000): bounded memory, few round trips. */
  readonly pageSize?: number
  readonly signal?: AbortSignal
}

/** A page of checkedPages: the events, and what their decoding found of their hashes. */
export interface CheckedPage {
  readonly events: DomainEvent[]
  /** Per event: HASH_MATCHES, HASH_DIFFERS or HASH_UNCHECKED (mapper.ts); absent: none checked. */
  readonly checks: Uint8Array | undefined
}

/** Domain events over a recorder: maps them to records and back, reading in pages. */
export class EventStore {
  constructor(
    readonly recorder: AggregateRecorder,
    readonly mapper: Mapper,
  ) {}

  /**
   * Stores events atomically: one insert for one aggregate's, one `insertBatches` for several
   * (ConfigurationError, before anything is written, when the recorder cannot do that).
   */
  async put(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return
    const batches = batchesOf(events)
    if (batches.length > 1 && !this.recorder.insertBatches) throw cannotSaveSeveral(batches.length)
    const records = batches.map((batch) => batch.map((e) => this.mapper.eventToRecord(e)))
    if (records.length === 1) await this.recorder.insert(records[0]!)
    else await this.recorder.insertBatches!(records)
  }

  /** Whether one save may hold the events of several aggregates (one atomic insert). */
  get savesSeveralAtomically(): boolean {
    return this.recorder.insertBatches !== undefined
  }

  /** Ascending pages of decoded events within (gt, lte]. */
  async *pages(originatorId: string, options: ReadOptions = {}): AsyncGenerator<DomainEvent[]> {
    const pageSize = options.pageSize ?? this.recorder.pageSize ?? 5000
    let gt = options.gt
    for (;;) {
      options.signal?.throwIfAborted()
      const query: RecordQuery = {
        ...(gt === undefined ? {} : { gt }),
        ...(options.lte === undefined ? {} : { lte: options.lte }),
        limit: pageSize,
      }
      const records = await this.recorder.select(originatorId, query)
      if (records.length === 0) return
      const events = new Array<DomainEvent>(records.length)
      for (let i = 0; i < records.length; i++) events[i] = this.mapper.recordToEvent(records[i]!)
      yield events
      if (records.length < pageSize) return
      gt = records[records.length - 1]!.originatorVersion
    }
  }

  /**
   * pages() for the readers that verify (a replay, verified ranges): where the store reads rows
   * as arrays (selectSplit), plain format 2 states come split into hex and text (no Buffer per
   * row) and the others whole (encrypted ones: no record object per row); with `checkHashes`,
   * each format 2 event's hash is checked from the text it was parsed from as it is decoded
   * (`checks`), so the event carries no proof. Elsewhere, pages() with no checks.
   */
  async *checkedPages(
    originatorId: string,
    checkHashes: boolean,
    options: ReadOptions = {},
  ): AsyncGenerator<CheckedPage> {
    const split = this.mapper.stateSplit
    const recorder = this.recorder
    if (recorder.selectSplit === undefined) {
      for await (const events of this.pages(originatorId, options))
        yield { events, checks: undefined }
      return
    }
    const pageSize = options.pageSize ?? recorder.pageSize ?? 5000
    let gt = options.gt
    for (;;) {
      options.signal?.throwIfAborted()
      const query: RecordQuery = {
        ...(gt === undefined ? {} : { gt }),
        ...(options.lte === undefined ? {} : { lte: options.lte }),
        limit: pageSize,
      }
      const rows = await recorder.selectSplit(originatorId, query, split)
      if (rows.length === 0) return
      const checks = checkHashes ? new Uint8Array(rows.length) : undefined
      yield { events: this.mapper.splitRowsToEvents(originatorId, rows, checks), checks }
      if (rows.length < pageSize) return
      gt = rows[rows.length - 1]![0]
    }
  }

  async list(originatorId: string, options: ReadOptions = {}): Promise<DomainEvent[]> {
    const out: DomainEvent[] = []
    for await (const page of this.pages(originatorId, options)) out.push(...page)
    return out
  }

  /** The newest event at or below `lte` (or the newest of all). */
  async latest(originatorId: string, lte?: number): Promise<DomainEvent | undefined> {
    const [record] = await this.recorder.select(originatorId, {
      desc: true,
      limit: 1,
      ...(lte === undefined ? {} : { lte }),
    })
    return record ? this.mapper.recordToEvent(record) : undefined
  }
}

/** The events grouped by aggregate, each group in the order given (first appearance first). */
function batchesOf(events: readonly DomainEvent[]): DomainEvent[][] {
  const byId = new Map<string, DomainEvent[]>()
  for (const event of events) {
    const batch = byId.get(event.originatorId)
    if (batch) batch.push(event)
    else byId.set(event.originatorId, [event])
  }
  return [...byId.values()]
}

export function cannotSaveSeveral(count: number): ConfigurationError {
  return new ConfigurationError(
    `this store cannot save ${count} aggregates atomically (on Cassandra a conditional batch cannot span partitions): save them one at a time`,
  )
}
