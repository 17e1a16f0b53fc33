/**
 * Commands, stateless (issue 8): every request carries the version its commands ran on. The
 * aggregate is replayed (verified) at that version, the commands run through its registered
 * type, and the events they trigger are either shown (preview) or stored as one batch
 * (execute): the store refuses the batch if anything newer was stored meanwhile, and the
 * ConcurrencyError then carries the winner's events. Nothing is held between requests.
 */
import type {
  CommandResult,
  ConcurrencyDetails,
  EventDto,
  ParsedRequestOf,
} from '../../shared/contract'
import {
  type Aggregate,
  type AggregateType,
  type AggregateTypeRegistry,
  aggregateTypes as defaultRegistry,
  ConcurrencyError,
  type DomainEvent,
  EntityIsDiscarded,
  verifiedPages,
} from '../eventsourcing'
import type { Connection } from './connection'
import { ApiFailure } from './dispatch'
import { displayState, eventDto } from './dto'

/** A ConcurrencyError lists at most this many of the winner's events. */
const MAX_WINNING_EVENTS = 200

type Batch = ParsedRequestOf<'execute'>

interface Ran {
  readonly type: AggregateType
  readonly aggregate: Aggregate
  readonly pending: readonly DomainEvent[]
}

/** The registered type `topic` if it has demo data (seedDemoData), else a ValidationError. */
export function seedableType(
  topic: string,
  registry: AggregateTypeRegistry = defaultRegistry,
): AggregateType {
  const type = registry.get(topic)
  if (!type?.definition.demo) {
    throw new ApiFailure({
      code: 'ValidationError',
      message: type
        ? `${type.displayName} has no demo data: it cannot be seeded`
        : `no aggregate type '${topic}' is registered`,
      details: { parameter: 'type' },
    })
  }
  return type
}

/** The events `batch` would trigger and the state after them; nothing is stored. */
export async function preview(
  c: Connection,
  batch: Batch,
  registry: AggregateTypeRegistry = defaultRegistry,
): Promise<CommandResult> {
  const ran = await run(c, batch, registry)
  return result(batch, ran, ran.pending)
}

/** Runs `batch` and stores its events as one batch, only on top of `expectedVersion`. */
export async function execute(
  c: Connection,
  batch: Batch,
  registry: AggregateTypeRegistry = defaultRegistry,
): Promise<CommandResult> {
  const ran = await run(c, batch, registry)
  if (ran.pending.length === 0) return result(batch, ran, [])
  try {
    const stored = await c.app.save(ran.aggregate)
    return result(batch, ran, stored)
  } catch (error) {
    if (error instanceof ConcurrencyError) throw await conflict(c, ran, batch, error)
    throw error
  }
}

/** Loads the aggregate at `expectedVersion` (or none, for a new one) and runs the commands. */
async function run(c: Connection, batch: Batch, registry: AggregateTypeRegistry): Promise<Ran> {
  // The type first: an aggregate of a type this app does not know cannot even be replayed.
  const topic = batch.id === undefined ? batch.type! : await storedTopic(c, batch.id)
  if (batch.type !== undefined && batch.type !== topic) {
    throw new ApiFailure({
      code: 'ValidationError',
      message: `aggregate ${batch.id} is a ${topic}, not a ${batch.type}`,
      details: { parameter: 'type', type: topic },
    })
  }
  const type = registry.get(topic)
  if (!type) {
    throw new ApiFailure({
      code: 'ValidationError',
      message: `no aggregate type '${topic}' is registered: its commands are unknown here (load the module that defines it)`,
      details: { parameter: 'type', type: topic },
    })
  }
  const loaded = batch.id === undefined ? undefined : await load(c, batch.id, batch.expectedVersion)
  if (!loaded && batch.commands[0]?.name !== 'create') {
    throw new ApiFailure({
      code: 'ValidationError',
      message: `a new ${type.displayName} starts with the 'create' command`,
      details: { parameter: 'commands' },
    })
  }
  let aggregate: Aggregate
  try {
    aggregate = type.run(loaded, batch.commands)
  } catch (error) {
    if (error instanceof EntityIsDiscarded) throw discarded(error.originatorId)
    throw error
  }
  return { type, aggregate, pending: [...aggregate.pendingEvents] }
}

/** The aggregate class topic of a stored aggregate (from the index, or its creation event). */
async function storedTopic(c: Connection, id: string): Promise<string> {
  const latest = await c.app.repository.latest(id)
  if (!latest) throw missing(id)
  return latest.aggregateTopic
}

function missing(id: string): ApiFailure {
  return new ApiFailure({
    code: 'AggregateNotFound',
    message: `aggregate ${id} does not exist`,
    details: { id, reason: 'missing' },
  })
}

/** The aggregate as of `version`, its history verified up to there. */
async function load(c: Connection, id: string, version: number): Promise<Aggregate> {
  const { aggregate } = await c.app.repository.replay(id, { at: version })
  if (!aggregate) throw missing(id)
  if (aggregate.isDiscarded) throw discarded(id)
  if (aggregate.version !== version) {
    throw new ApiFailure({
      code: 'ValidationError',
      message: `aggregate ${id} has no version ${version} (its latest is ${aggregate.version}); reload it`,
      details: { parameter: 'expectedVersion', latestVersion: aggregate.version },
    })
  }
  return aggregate
}

function discarded(id: string): ApiFailure {
  return new ApiFailure({
    code: 'AggregateNotFound',
    message: `aggregate ${id} is discarded: it accepts no more commands (its history stays readable)`,
    details: { id, reason: 'discarded' },
  })
}

function result(batch: Batch, ran: Ran, events: readonly DomainEvent[]): CommandResult {
  return {
    id: ran.aggregate.id,
    type: ran.type.topic,
    expectedVersion: batch.expectedVersion,
    version: ran.aggregate.version,
    events: events.map(eventDto),
    state: displayState(ran.aggregate),
    discarded: ran.aggregate.isDiscarded,
  }
}

/** Another writer stored `expectedVersion + 1` first: says so, with what it stored. */
async function conflict(
  c: Connection,
  ran: Ran,
  batch: Batch,
  error: ConcurrencyError,
): Promise<ApiFailure> {
  const id = ran.aggregate.id
  const loadedVersion = batch.expectedVersion
  const triedVersion = ran.pending[0]!.originatorVersion
  const [latest] = await c.app.store.events.select(id, { desc: true, limit: 1 })
  const actualVersion = latest?.originatorVersion ?? error.details.actualVersion ?? triedVersion
  const winningEvents: EventDto[] = []
  if (actualVersion > loadedVersion) {
    for await (const page of verifiedPages(c.app.eventStore, id, {
      fromVersion: loadedVersion + 1,
      toVersion: Math.min(actualVersion, loadedVersion + MAX_WINNING_EVENTS),
      pageSize: MAX_WINNING_EVENTS,
    }))
      winningEvents.push(...page.map(eventDto))
  }
  const details: ConcurrencyDetails = {
    aggregateId: id,
    expectedVersion: triedVersion,
    actualVersion,
    winningEvents,
  }
  const count = actualVersion - loadedVersion
  return new ApiFailure({
    code: 'ConcurrencyError',
    message:
      `Another writer saved first: these commands ran on version ${loadedVersion} and tried to store version ${triedVersion}, ` +
      `but the store already holds ${count} newer event${count === 1 ? '' : 's'} (now at version ${actualVersion}). ` +
      'Nothing of this batch was stored. Reload the aggregate and run the commands again.',
    details,
  })
}
