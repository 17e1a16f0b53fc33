import type { DomainEvent } from '../domain/events'
import type { Mapper } from '../persistence/mapper'
import type { AggregateRecorder, RecordQuery } from '../persistence/recorder'

export interface ReadOptions {
  readonly gt?: number
  readonly lte?: number
  /** Records per round trip (default: the recorder's pageSize, else 5,000): bounded memory, few round trips. */
  readonly pageSize?: number
  readonly signal?: AbortSignal
}

/** Domain events over a recorder: maps them to records and back, reading in pages. */
export class EventStore {
  constructor(
    readonly recorder: AggregateRecorder,
    readonly mapper: Mapper,
  ) {}

  async put(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return
    await this.recorder.insert(events.map((e) => this.mapper.eventToRecord(e)))
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
