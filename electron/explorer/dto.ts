/**
 * Mapping the library's values to the contract's: events, aggregate states, snapshots and log
 * entries as the renderer receives them (JSON the UI can show).
 */
import type {
  EventDto,
  EventRole,
  JsonValue,
  LogEntryDto,
  OmittedChildren,
  ShortenedString,
  SnapshotDto,
} from '../../shared/contract'
import {
  Aggregate,
  aggregateState,
  type DomainEvent,
  eventTopicOf,
  type LogEntry,
  type Snapshot,
  topics,
} from '../eventsourcing'
import { pageState, STATE_PAGE } from '../../shared/statePages'
import { shortenLongStrings } from '../../shared/longStrings'
import { toDisplayJson, toDisplayJsonCut } from './displayJson'

/**
 * What an event of `topic` does to its aggregate, decided by its registered class (an
 * aggregate type may name its discard event anything, e.g. bank#Account.Closed). For a topic
 * no loaded module registers, only the name is left: `.Created` and `.Discarded` (the library's
 * defaults) are recognised, and version 0, when given, is always the creation.
 */
export function eventRole(topic: string, version?: number): EventRole {
  if (version === 0) return 'created'
  if (topics.has(topic)) {
    const cls = topics.resolve(topic)
    if (cls === Aggregate.Discarded || cls.prototype instanceof Aggregate.Discarded)
      return 'discarded'
    if (cls === Aggregate.Created || cls.prototype instanceof Aggregate.Created) return 'created'
    return 'changed'
  }
  const name = topic.slice(topic.lastIndexOf('.') + 1)
  return name === 'Discarded' ? 'discarded' : name === 'Created' ? 'created' : 'changed'
}

export function eventDto(event: DomainEvent): EventDto {
  // An UnregisteredEvent keeps the topic it was stored under.
  const topic = eventTopicOf(event) ?? `<unregistered ${event.constructor.name}>`
  return {
    originatorId: event.originatorId,
    version: event.originatorVersion,
    topic,
    type: topic.slice(topic.lastIndexOf('.') + 1),
    role: eventRole(topic, event.originatorVersion),
    timestamp: event.timestamp.toISOString(),
    payload: toDisplayJson(event.payload()),
    payloadShortened: [],
    hash: event.hash,
    previousHash: event.previousHash,
  }
}

/**
 * Characters of payload JSON one exportHistory page carries at most (beyond its first event):
 * events of megabytes each would otherwise make one answer past what can be encoded.
 */
export const EXPORT_PAGE_BYTES = 8 << 20

/** The first events of an export page within EXPORT_PAGE_BYTES; `stoppedAt`: the first left out. */
export function withinExportBytes(events: readonly EventDto[]): {
  events: EventDto[]
  stoppedAt?: number
} {
  let bytes = 0
  for (let i = 0; i < events.length; i++) {
    bytes += JSON.stringify(events[i]!.payload).length
    if (i > 0 && bytes > EXPORT_PAGE_BYTES)
      return { events: events.slice(0, i), stoppedAt: events[i]!.version }
  }
  return { events: [...events] }
}

/** An event as a listing sends it: long strings of its payload shortened (shared/longStrings.ts). */
export function listedEvent(dto: EventDto): EventDto {
  const { value, shortened } = shortenLongStrings(dto.payload)
  return shortened.length === 0 ? dto : { ...dto, payload: value, payloadShortened: shortened }
}

/** An aggregate's state for the UI: its fields as a JSON tree; null before creation and once discarded. */
export function displayState(aggregate: Aggregate | undefined): JsonValue {
  if (!aggregate || aggregate.isDiscarded) return null
  return toDisplayJson(aggregateState(aggregate))
}

/** How getAggregate shows a state (null: none, before creation or once discarded). */
export type StateDisplay = (state: unknown) => {
  state: JsonValue
  stateOmitted: OmittedChildren[]
  stateShortened: ShortenedString[]
}

/**
 * A state as getAggregate sends it (issue 10; shared/statePages.ts): each container's first
 * children, within the answer's budget, and the containers cut; only what is sent is converted.
 */
export const cutDisplay: StateDisplay = (state) => {
  if (state === null || state === undefined)
    return { state: null, stateOmitted: [], stateShortened: [] }
  const { value, cut } = toDisplayJsonCut(state, STATE_PAGE)
  const known = new Map(cut.map((c) => [JSON.stringify(c.path), c.total]))
  const paged = pageState(value, STATE_PAGE, undefined, known)
  return { state: paged.state, stateOmitted: paged.omitted, stateShortened: paged.shortened }
}

/** An aggregate's state as getAggregate sends it (cutDisplay); null as displayState's. */
export function cutState(
  aggregate: Aggregate | undefined,
  display: StateDisplay = cutDisplay,
): ReturnType<StateDisplay> {
  return display(!aggregate || aggregate.isDiscarded ? null : aggregateState(aggregate))
}

export function snapshotDto(snapshot: Snapshot): SnapshotDto {
  return {
    originatorId: snapshot.originatorId,
    version: snapshot.originatorVersion,
    timestamp: snapshot.timestamp.toISOString(),
    type: snapshot.topic,
    state: snapshot.state === null ? null : toDisplayJson(snapshot.state),
    stateOmitted: [],
    stateShortened: [],
  }
}

export function logEntryDto(entry: LogEntry): LogEntryDto {
  return {
    position: entry.position,
    originatorId: entry.originatorId,
    fromVersion: entry.fromVersion,
    toVersion: entry.toVersion,
    topics: [...entry.topics],
    discards: entry.topics.some((t) => eventRole(t) === 'discarded'),
    recordedAt: entry.recordedAt.toISOString(),
  }
}
