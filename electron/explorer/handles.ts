/**
 * Handles: aggregates loaded for staged commands (the concurrency demo). A handle keeps its
 * pending events until it is saved; a save that another writer beat is a ConcurrencyError that
 * shows the winner's events. The table of live handles belongs to one connection.
 */
import { randomUUID } from 'node:crypto'
import type {
  ConcurrencyDetails,
  EventDto,
  HandleDto,
  ParsedRequestOf,
} from '../../shared/contract'
import {
  AggregateNotFound,
  ConcurrencyError,
  type DomainEvent,
  EntityIsDiscarded,
  type LogEntry,
} from '../eventsourcing'
import { ExampleAggregateRoot } from '../example/exampleAggregateRoot'
import type { Connection } from './connection'
import { ApiFailure } from './dispatch'
import { displayState, eventDto } from './dto'

const MAX_WINNING_EVENTS = 200

export interface Handle {
  readonly id: string
  aggregate: ExampleAggregateRoot
  loadedVersion: number
  /** The newest stored version this service knows of; above loadedVersion, the handle is stale. */
  storedVersion: number
  /** Operations on one handle run one after another. */
  queue: Promise<unknown>
}

/** The live handles, least recently used first, and the ones the last reconnect dropped. */
export class HandleTable {
  private readonly live = new Map<string, Handle>()
  /** Handles the last reconnect dropped: using one is NotConnected, not an unknown handle. */
  private dropped = new Set<string>()

  /** maxHandles: live handles kept at most; the least recently used is dropped beyond. */
  constructor(private readonly maxHandles: number) {}

  add(aggregate: ExampleAggregateRoot, loadedVersion: number): Handle {
    const handle: Handle = {
      id: `h-${randomUUID()}`,
      aggregate,
      loadedVersion,
      storedVersion: loadedVersion,
      queue: Promise.resolve(),
    }
    this.live.set(handle.id, handle)
    // Least recently used first: Map keeps insertion order and `with` re-inserts.
    while (this.live.size > this.maxHandles) {
      const oldest = this.live.keys().next().value
      if (oldest === undefined) break
      this.live.delete(oldest)
    }
    return handle
  }

  with<T>(handleId: string, body: (handle: Handle) => Promise<T>): Promise<T> {
    const handle = this.live.get(handleId)
    if (!handle && this.dropped.has(handleId)) {
      return Promise.reject(
        new ApiFailure({
          code: 'NotConnected',
          message:
            'this handle belonged to the connection before the last reconnect; open the aggregate again',
        }),
      )
    }
    if (!handle) {
      return Promise.reject(
        new ApiFailure({
          code: 'ValidationError',
          message: `handle ${handleId.slice(0, 64)} is closed or expired (handles are dropped on reconnect and when too many are open); open the aggregate again`,
        }),
      )
    }
    this.live.delete(handleId)
    this.live.set(handleId, handle)
    const run = handle.queue.then(() => body(handle))
    handle.queue = run.catch(() => undefined)
    return run
  }

  /** The store holds `version` of `aggregateId`: the handles loaded before it are stale. */
  noteStored(aggregateId: string, version: number): void {
    for (const handle of this.live.values()) {
      if (handle.aggregate.id === aggregateId && handle.storedVersion < version)
        handle.storedVersion = version
    }
  }

  /** Whether the handle was open. */
  close(handleId: string): boolean {
    return this.live.delete(handleId)
  }

  /** A reconnect drops every handle; using one then says why. */
  dropAll(): void {
    this.dropped = new Set(this.live.keys())
    this.live.clear()
  }

  /** The log holds newer versions: the handles loaded before them are stale. */
  noteLogEntries(entries: readonly LogEntry[]): void {
    if (this.live.size > 0) {
      const newest = new Map<string, number>()
      for (const e of entries)
        newest.set(e.originatorId, Math.max(newest.get(e.originatorId) ?? -1, e.toVersion))
      for (const handle of this.live.values()) {
        const version = newest.get(handle.aggregate.id)
        if (version !== undefined && version > handle.storedVersion) handle.storedVersion = version
      }
    }
  }
}

export async function createHandle(
  c: Connection,
  handles: HandleTable,
  { foo }: ParsedRequestOf<'createHandle'>,
): Promise<HandleDto> {
  return handleDto(handles.add(c.app.createExampleAggregate(foo), -1))
}

export async function openHandle(
  c: Connection,
  handles: HandleTable,
  { id }: ParsedRequestOf<'openHandle'>,
): Promise<HandleDto> {
  const aggregate = await c.app.repository.get(id)
  if (!(aggregate instanceof ExampleAggregateRoot)) {
    throw new ApiFailure({
      code: 'ValidationError',
      message: `handles support example aggregates only; ${id} is a ${aggregate.constructor.name}`,
    })
  }
  return handleDto(handles.add(aggregate, aggregate.version))
}

export async function getHandle(
  handles: HandleTable,
  { handleId }: ParsedRequestOf<'getHandle'>,
): Promise<HandleDto> {
  return handles.with(handleId, async (handle) => handleDto(handle))
}

export async function applyCommand(
  handles: HandleTable,
  { handleId, command }: ParsedRequestOf<'applyCommand'>,
): Promise<HandleDto> {
  return handles.with(handleId, async (handle) => {
    const { aggregate } = handle
    try {
      switch (command.type) {
        case 'setFoo':
          aggregate.foo = command.value
          break
        case 'createExample':
          aggregate.createNewExample()
          break
        case 'discard':
          aggregate.__discard__()
          break
      }
    } catch (error) {
      if (error instanceof EntityIsDiscarded) {
        throw new ApiFailure({
          code: 'AggregateNotFound',
          message: `aggregate ${aggregate.id} is discarded: it accepts no more commands (its history stays readable)`,
          details: { id: aggregate.id, reason: 'discarded' },
        })
      }
      throw error
    }
    return handleDto(handle)
  })
}

export async function saveHandle(
  c: Connection,
  handles: HandleTable,
  { handleId }: ParsedRequestOf<'saveHandle'>,
): Promise<HandleDto> {
  return handles.with(handleId, async (handle) => {
    const { aggregate } = handle
    // A batch the save refuses is put back as pending on the handle (the UI shows it, stale,
    // next to the winner's events).
    const batch = [...aggregate.pendingEvents]
    if (batch.length === 0) return handleDto(handle)
    try {
      await c.app.save(aggregate)
    } catch (error) {
      if (error instanceof ConcurrencyError) throw await conflict(handles, c, handle, batch, error)
      // The write failed without an answer (a timeout) and may have been stored all the same.
      if (await isStored(c, batch)) markSaved(handles, handle)
      throw error
    }
    markSaved(handles, handle)
    return handleDto(handle)
  })
}

export async function refreshHandle(
  c: Connection,
  handles: HandleTable,
  { handleId }: ParsedRequestOf<'refreshHandle'>,
): Promise<HandleDto> {
  return handles.with(handleId, async (handle) => {
    const fresh = await c.app.repository.get(handle.aggregate.id)
    if (!(fresh instanceof ExampleAggregateRoot)) throw new AggregateNotFound(handle.aggregate.id)
    handle.aggregate.dropPendingEvents()
    handle.aggregate = fresh
    handle.loadedVersion = fresh.version
    handles.noteStored(fresh.id, fresh.version)
    return handleDto(handle)
  })
}

function markSaved(handles: HandleTable, handle: Handle): void {
  handle.aggregate.dropPendingEvents()
  handle.loadedVersion = handle.aggregate.version
  handles.noteStored(handle.aggregate.id, handle.loadedVersion)
}

async function isStored(c: Connection, batch: readonly DomainEvent[]): Promise<boolean> {
  const last = batch[batch.length - 1]
  if (!last) return false
  try {
    const stored = await c.app.eventAt(last.originatorId, last.originatorVersion)
    return stored !== undefined && stored.hash === last.hash
  } catch {
    return false
  }
}

async function conflict(
  handles: HandleTable,
  c: Connection,
  handle: Handle,
  batch: readonly DomainEvent[],
  error: ConcurrencyError,
): Promise<ApiFailure> {
  const id = handle.aggregate.id
  const expectedVersion = batch[0]!.originatorVersion
  const latest = await c.app.latestRecord(id)
  const actualVersion = latest?.originatorVersion ?? error.details.actualVersion ?? expectedVersion
  const winningEvents: EventDto[] = []
  for await (const page of c.app.verifiedEventPages(id, {
    fromVersion: handle.loadedVersion + 1,
    toVersion: Math.min(actualVersion, handle.loadedVersion + MAX_WINNING_EVENTS),
    pageSize: MAX_WINNING_EVENTS,
  })) {
    winningEvents.push(...page.map(eventDto))
  }
  const details: ConcurrencyDetails = {
    aggregateId: id,
    expectedVersion,
    actualVersion,
    winningEvents,
  }
  // Whatever the store answered, the version this handle wanted to write exists now.
  handles.noteStored(id, Math.max(actualVersion, expectedVersion))
  const count = actualVersion - handle.loadedVersion
  return new ApiFailure({
    code: 'ConcurrencyError',
    message:
      `Another writer saved first: this handle was loaded at version ${handle.loadedVersion} and tried to store version ${expectedVersion}, ` +
      `but the store already holds ${count} newer event${count === 1 ? '' : 's'} (now at version ${actualVersion}). ` +
      'Nothing of this batch was stored. Refresh the handle to load the latest version, then apply the change again.',
    details,
  })
}

export function handleDto(handle: Handle): HandleDto {
  const { aggregate } = handle
  return {
    handleId: handle.id,
    aggregateId: aggregate.id,
    loadedVersion: handle.loadedVersion,
    version: aggregate.version,
    storedVersion: handle.storedVersion,
    stale: handle.storedVersion > handle.loadedVersion,
    pending: aggregate.pendingEvents.map(eventDto),
    state: displayState(aggregate),
    discarded: aggregate.isDiscarded,
  }
}
