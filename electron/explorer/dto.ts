/**
 * Mapping the library's values to the contract's: events, aggregate states, snapshots and log
 * entries as the renderer receives them (JSON the UI can show).
 */
import type { EventDto, JsonValue, LogEntryDto, SnapshotDto } from '../../shared/contract'
import {
  type Aggregate,
  aggregateState,
  type DomainEvent,
  type LogEntry,
  type Snapshot,
  topics,
} from '../eventsourcing'
import { toDisplayJson } from './displayJson'

export function eventDto(event: DomainEvent): EventDto {
  const topic = topics.topicOfInstance(event) ?? `<unregistered ${event.constructor.name}>`
  return {
    originatorId: event.originatorId,
    version: event.originatorVersion,
    topic,
    type: topic.slice(topic.lastIndexOf('.') + 1),
    timestamp: event.timestamp.toISOString(),
    payload: toDisplayJson(event.payload()),
    hash: event.hash,
    previousHash: event.previousHash,
  }
}

/** An aggregate's state for the UI: its fields as a JSON tree; null before creation and once discarded. */
export function displayState(aggregate: Aggregate | undefined): JsonValue {
  if (!aggregate || aggregate.isDiscarded) return null
  return toDisplayJson(aggregateState(aggregate))
}

export function snapshotDto(snapshot: Snapshot): SnapshotDto {
  return {
    originatorId: snapshot.originatorId,
    version: snapshot.originatorVersion,
    timestamp: snapshot.timestamp.toISOString(),
    type: snapshot.topic,
    state: snapshot.state === null ? null : toDisplayJson(snapshot.state),
  }
}

export function logEntryDto(entry: LogEntry): LogEntryDto {
  return {
    position: entry.position,
    originatorId: entry.originatorId,
    fromVersion: entry.fromVersion,
    toVersion: entry.toVersion,
    topics: [...entry.topics],
    recordedAt: entry.recordedAt.toISOString(),
  }
}
