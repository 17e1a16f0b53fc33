/**
 * The one contract between the renderer and the main process. Every method has a zod schema
 * for its request and its response; both transports (Electron IPC and the browser-mode
 * WebSocket) are derived from `methods` and `events`, and both validate on receipt.
 * Pure TypeScript and zod only: no Node, no Electron, no React.
 * Schemas are built on first use (`z.lazy`): zod builds each schema with all its methods, and
 * building every one of the contract's at once took 20–40 ms of a page load's main thread before
 * the first answer could be read (issue 10); a page now builds only what its answers need.
 */
import { z } from 'zod'
import {
  MAX_AGGREGATE_ID_LENGTH,
  MAX_SEED_COUNT,
  MAX_SEED_EVENTS,
  MAX_SEED_EVENTS_TEXT,
} from './contractBasics'
import type { METHOD_NAMES } from './contractBasics'
import { events } from './contractEvents'
import {
  ActivityBucket,
  AggregateModuleInfo,
  AggregateSummary,
  AggregateView,
  CipherKeyBase64,
  ConnectionInfo,
  ConnectionSettings,
  DiffEntry,
  EventDto,
  HistoryVerificationDto,
  IntegrityProblemDto,
  DisplayValue,
  isoDate,
  limit,
  OmittedChildren,
  ShortenedString,
  RawRecord,
  SnapshotDto,
  SnapshotSummaryDto,
  StateChild,
  StatePath,
  taskId,
  aggregateId,
  version,
} from './schemas'
import { AggregateTypeDescriptor, CommandBatch, CommandResult } from './commandSchemas'

export * from './schemas'
export * from './commandSchemas'
export * from './contractBasics'

// ---------------------------------------------------------------- methods

/**
 * Every method says whether it may change the store: `write` methods (execute, seeding) are
 * refused on a read-only connection, generically, from this field alone. `read` methods never
 * write to the store (connect, the key methods and loadAggregateModule change only this app's
 * session). `satisfies` below makes the field required for every method.
 */
export type MethodAccess = 'read' | 'write'
export interface MethodDefinition {
  readonly access: MethodAccess
  readonly request: z.ZodType
  readonly response: z.ZodType
}
const Empty = z.lazy(() => z.object({}).strict())

/**
 * A page of an aggregate's snapshots (or of their versions), newest first: versions above
 * `afterVersion` and below `beforeVersion` (both exclusive; pass a page's nextBeforeVersion as
 * beforeVersion, with the same afterVersion, for the next, older page), at most `limit`.
 */
/** A page of snapshots newest first, and the beforeVersion of the next, older page if any. */
const snapshotPage = <T extends z.ZodTypeAny>(item: T) =>
  z.object({
    items: z.array(item),
    /** Pass as beforeVersion (same afterVersion) for the next, older page; absent at the end. */
    nextBeforeVersion: version.optional(),
  })

const snapshotRange = (maxLimit: number, defaultLimit: number) =>
  z
    .object({
      id: aggregateId,
      afterVersion: version.optional(),
      beforeVersion: version.optional(),
      limit: limit(maxLimit, defaultLimit),
    })
    .strict()

export const methods = {
  getConnection: { access: 'read', request: Empty, response: ConnectionInfo },
  connect: { access: 'read', request: ConnectionSettings, response: ConnectionInfo },
  disconnect: { access: 'read', request: Empty, response: ConnectionInfo },
  /**
   * Uses this cipher key from now on (reconnecting to the same store if connected); with
   * `remember`, also keeps it in the OS's secure store (only where `canRememberKey`). A wrong
   * key is not detectable up front: reading records written with another key fails with
   * DataIntegrityError. The key is never sent back.
   */
  setCipherKey: {
    access: 'read',
    request: z.lazy(() => z.object({ keyBase64: CipherKeyBase64, remember: z.boolean() }).strict()),
    response: ConnectionInfo,
  },
  /** Clears the saved key; goes on with EVENTSCOPE_CIPHER_KEY if set, else without a key. */
  forgetCipherKey: { access: 'read', request: Empty, response: ConnectionInfo },

  /** The registered aggregate types (built in and from loaded modules), with their commands. */
  listAggregateTypes: {
    access: 'read',
    request: Empty,
    response: z.lazy(() => z.array(AggregateTypeDescriptor)),
  },
  listAggregates: {
    access: 'read',
    request: z.lazy(() =>
      z
        .object({
          limit: limit(500, 100),
          // Opaque; in a Python store it holds the last id read (up to 4096 characters, base64).
          pageToken: z.string().max(20_000).optional(),
          /** The start of an id: of a UUID's hex digits in our stores (serviceQueries.ts checks). */
          idPrefix: z.string().max(MAX_AGGREGATE_ID_LENGTH).optional(),
          type: z.string().max(256).optional(),
          order: z.enum(['recent', 'id']).default('recent'),
          /**
           * Without pageToken, which end of the list the page is read from: `end` gives the list's
           * last `limit` aggregates (the oldest change for `recent`, the highest ids for `id`),
           * still in list order. A pageToken carries its own direction; `from` is then ignored.
           */
          from: z.enum(['start', 'end']).default('start'),
        })
        .strict(),
    ),
    response: z.lazy(() =>
      z.object({
        /** In list order (`recent`: newest change first; `id`: ascending), whichever end was read. */
        items: z.array(AggregateSummary),
        /** Pass as pageToken for the page after this one; absent at the end of the list. */
        nextPageToken: z.string().optional(),
        /** Pass as pageToken for the page before this one; absent at the start of the list. */
        prevPageToken: z.string().optional(),
        /**
         * How many aggregates the store holds in all (idPrefix and type do not narrow it), when
         * the store keeps that count cheaply (a counter). Absent when counting costs a read of a
         * whole index (Python stores): ask countAggregates, so the page does not wait for it.
         */
        total: z.number().int().min(0).optional(),
      }),
    ),
  },
  /**
   * How many aggregates the store holds in all, exactly: a counter read in Eventscope's stores, a
   * count over the primary key in Python stores (kept a few seconds, recounted once the log shows
   * a new aggregate).
   */
  countAggregates: {
    access: 'read',
    request: Empty,
    response: z.lazy(() => z.object({ total: z.number().int().min(0) })),
  },
  getAggregate: {
    access: 'read',
    request: z.lazy(() =>
      z.object({ id: aggregateId, at: version.optional(), taskId: taskId.optional() }).strict(),
    ),
    response: AggregateView,
  },
  /** More children of a container that getAggregate's state cut (its stateOmitted). */
  getStateChildren: {
    access: 'read',
    request: z.lazy(() =>
      z
        .object({
          id: aggregateId,
          at: version,
          path: StatePath,
          offset: z.number().int().min(0),
          limit: limit(1000, 100),
          /** The stored snapshot at `at` (listSnapshots' cut state), not the state replayed there. */
          snapshot: z.boolean().default(false),
          taskId: taskId.optional(),
        })
        .strict(),
    ),
    response: z.lazy(() =>
      z.object({
        /** How many children the container has. */
        total: z.number().int().min(0),
        offset: z.number().int().min(0),
        children: z.array(StateChild),
        /** Containers within these children cut in turn, at their full paths. */
        omitted: z.array(OmittedChildren),
        /** Strings within these children shortened, at their full paths (statePages.ts). */
        shortened: z.array(ShortenedString).default([]),
      }),
    ),
  },
  listEvents: {
    access: 'read',
    request: z.lazy(() =>
      z
        .object({
          id: aggregateId,
          /** First version of the page (inclusive). */
          fromVersion: version.default(0),
          limit: limit(1000, 200),
          /** Case-insensitive text searched in the decoded payloads. */
          search: z.string().max(200).optional(),
          /** Only these event types (short names). */
          types: z.array(z.string().max(128)).max(32).optional(),
          taskId: taskId.optional(),
        })
        .strict(),
    ),
    response: z.lazy(() =>
      z.object({
        items: z.array(EventDto),
        /** Pass as fromVersion to continue; absent at the end. */
        nextFromVersion: version.optional(),
        latestVersion: z.number().int().min(-1),
        /**
         * The aggregate's first stored version, as the store has it: 0 in Eventscope's stores, 1
         * in Python eventsourcing's. The history is firstVersion…latestVersion.
         */
        firstVersion: version,
        /** How many events this page examined (for a search, more than it returned). */
        scanned: z.number().int().min(0),
      }),
    ),
  },
  getRawRecord: {
    access: 'read',
    request: z.lazy(() =>
      z
        .object({ id: aggregateId, version, kind: z.enum(['event', 'snapshot']).default('event') })
        .strict(),
    ),
    response: RawRecord,
  },
  getEventDiff: {
    access: 'read',
    request: z.lazy(() => z.object({ id: aggregateId, version }).strict()),
    response: z.lazy(() => z.array(DiffEntry)),
  },
  diffVersions: {
    access: 'read',
    request: z.lazy(() =>
      z
        .object({
          id: aggregateId,
          from: version,
          to: version,
          /**
           * false: the diff alone (what the Diff tab shows); a large aggregate's two whole states
           * are megabytes that would be converted, sent and parsed for nothing.
           */
          states: z.boolean().default(true),
        })
        .strict(),
    ),
    response: z.lazy(() =>
      z.object({
        /** The two states whole (absent when asked with `states: false`). */
        from: DisplayValue.optional(),
        to: DisplayValue.optional(),
        diff: z.array(DiffEntry),
        /**
         * Why the two states cannot be compared (a Python store: a version without a snapshot of
         * its own, its events not applied): `diff` is then empty and says nothing of equality.
         */
        cannotCompare: z.string().optional(),
      }),
    ),
  },
  listSnapshots: {
    access: 'read',
    request: z.lazy(() => snapshotRange(1000, 200)),
    response: z.lazy(() => snapshotPage(SnapshotDto)),
  },
  /**
   * Stored snapshots without their states (the Snapshots panel's list; listSnapshots with a
   * one-version range sends one with its state): a large state is not decoded for it.
   */
  listSnapshotSummaries: {
    access: 'read',
    request: z.lazy(() => snapshotRange(1000, 100)),
    response: z.lazy(() => snapshotPage(SnapshotSummaryDto)),
  },
  /**
   * The versions that have a snapshot, without their states (for the timeline's markers): a
   * read of the snapshot table's keys only. Newest first, like listSnapshots.
   */
  listSnapshotVersions: {
    access: 'read',
    request: z.lazy(() => snapshotRange(10_000, 10_000)),
    response: z.lazy(() =>
      z.object({
        /** Newest first. */
        versions: z.array(version),
        /** Pass as beforeVersion (same afterVersion) for the next, older page; absent at the end. */
        nextBeforeVersion: version.optional(),
      }),
    ),
  },
  compareSnapshot: {
    access: 'read',
    request: z.lazy(() =>
      z
        .object({
          id: aggregateId,
          version,
          /**
           * false: the differences, with the snapshot's state cut as listSnapshots cuts it and no
           * replayed state (what the Snapshots panel shows; whole states are megabytes at scale).
           */
          states: z.boolean().default(true),
        })
        .strict(),
    ),
    response: z.lazy(() =>
      z.object({
        snapshot: SnapshotDto,
        /** The state replayed from the events, whole (absent when asked with `states: false`). */
        replayed: DisplayValue.optional(),
        matches: z.boolean(),
        differences: z.array(DiffEntry),
      }),
    ),
  },
  getActivity: {
    access: 'read',
    request: z.lazy(() =>
      z
        .object({
          id: aggregateId.optional(),
          buckets: z.number().int().min(1).max(500).default(60),
        })
        .strict(),
    ),
    response: z.lazy(() =>
      z.object({
        buckets: z.array(ActivityBucket),
        /** The events charted: all of them, or, when `sampled`, the newest few thousand. */
        total: z.number().int().min(0),
        sampled: z.boolean(),
        /** Every event of the aggregate (or store), when known exactly; only said when `sampled`. */
        allEvents: z.number().int().min(0).optional(),
      }),
    ),
  },
  /** One page of the full history, in version order; the caller assembles the pages. */
  exportHistory: {
    access: 'read',
    request: z.lazy(() =>
      z
        .object({
          id: aggregateId,
          /** First version of the page (inclusive). */
          fromVersion: version.default(0),
          limit: limit(5000, 2000),
          /** Makes the page cancellable, and reports progress over the whole history (done = versions exported). */
          taskId: taskId.optional(),
        })
        .strict(),
    ),
    response: z.lazy(() =>
      z.object({
        aggregateId: aggregateId,
        type: z.string(),
        exportedAt: isoDate,
        /** The newest stored version when this page was read. */
        latestVersion: version,
        events: z.array(EventDto),
        /** Pass as fromVersion to continue (a page of large payloads ends early); absent once the page reaches latestVersion. */
        nextFromVersion: version.optional(),
      }),
    ),
  },

  /**
   * Runs commands on an aggregate loaded at `expectedVersion` and stores the events they trigger
   * as one batch: ConcurrencyError if anything newer was stored meanwhile, DomainError if the
   * aggregate's rules refuse a command (nothing is stored), ValidationError for unknown commands
   * or parameters.
   */
  execute: { access: 'write', request: CommandBatch, response: CommandResult },
  /** The same as execute without storing anything: the events the commands would trigger. */
  preview: { access: 'read', request: CommandBatch, response: CommandResult },
  /**
   * Loads a module of aggregate types: only one named in EVENTSCOPE_MODULES or chosen in the
   * desktop app's file dialog (else ValidationError). A module that fails is no error here: the
   * answer (and ConnectionInfo.modules) says why.
   */
  loadAggregateModule: {
    access: 'read',
    request: z.lazy(() => z.object({ path: z.string().min(1).max(4096) }).strict()),
    response: AggregateModuleInfo,
  },

  /**
   * Demo data: `aggregates` × `events` (each 1–100,000, their product at most MAX_SEED_EVENTS).
   * One seed at a time: another while one runs is a ValidationError.
   */
  seedDemoData: {
    access: 'write',
    request: z.lazy(() =>
      z
        .object({
          aggregates: z.number().int().min(1).max(MAX_SEED_COUNT),
          events: z.number().int().min(1).max(MAX_SEED_COUNT),
          /** The aggregate type to fill (a registered topic whose descriptor says canSeed). */
          type: z.string().min(1).max(256).optional(),
          taskId,
        })
        .strict()
        .refine((r) => r.aggregates * r.events <= MAX_SEED_EVENTS, {
          path: ['events'],
          message: `at most ${MAX_SEED_EVENTS_TEXT} events in total (aggregates × events per aggregate)`,
        }),
    ),
    response: z.lazy(() =>
      z.object({
        aggregates: z.number().int(),
        events: z.number().int(),
        cancelled: z.boolean(),
      }),
    ),
  },
  /** Reads only. Checks every stored event and snapshot of one aggregate (a task: progress, cancelTask). */
  verifyHistory: {
    access: 'read',
    request: z.lazy(() => z.object({ id: aggregateId, taskId: taskId.optional() }).strict()),
    response: HistoryVerificationDto,
  },
  /**
   * Reads only. Verify whole history for every aggregate, paged through the aggregate index
   * (a task: progress over the aggregates, cancelTask); lists each problem found.
   */
  verifyStore: {
    access: 'read',
    request: z.lazy(() => z.object({ taskId }).strict()),
    response: z.lazy(() =>
      z.object({
        aggregatesChecked: z.number().int().min(0),
        eventsChecked: z.number().int().min(0),
        verifiedAt: isoDate,
        problems: z.array(IntegrityProblemDto),
        /** More problems were found than listed. */
        truncated: z.boolean(),
      }),
    ),
  },
  cancelTask: {
    access: 'read',
    request: z.lazy(() => z.object({ taskId }).strict()),
    response: z.lazy(() => z.object({ cancelled: z.boolean() })),
  },
  // Exactly the names in contractBasics (a missing or an extra method does not compile).
} as const satisfies Record<(typeof METHOD_NAMES)[number], MethodDefinition>

// The live events (main → renderer) are in contractEvents.ts.
export { events }

export type MethodName = keyof typeof methods
export type EventName = keyof typeof events
export type RequestOf<M extends MethodName> = z.input<(typeof methods)[M]['request']>
export type ParsedRequestOf<M extends MethodName> = z.output<(typeof methods)[M]['request']>
export type ResponseOf<M extends MethodName> = z.output<(typeof methods)[M]['response']>
export type EventOf<E extends EventName> = z.output<(typeof events)[E]>

/** The API the renderer uses, whichever transport carries it. */
export type ExplorerApi = {
  [M in MethodName]: (request: RequestOf<M>) => Promise<ResponseOf<M>>
} & {
  subscribe<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void
}

/** What a server-side implementation provides: parsed requests in, plain values out. */
export type ExplorerHandlers = {
  [M in MethodName]: (request: ParsedRequestOf<M>) => Promise<ResponseOf<M>>
}

export const methodNames = Object.keys(methods) as MethodName[]
/** The methods a read-only connection refuses. */
export const writeMethodNames = methodNames.filter((name) => methods[name].access === 'write')

export function isWriteMethod(name: MethodName): boolean {
  return methods[name].access === 'write'
}
export const eventNames = Object.keys(events) as EventName[]

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name)
}
