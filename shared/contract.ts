/**
 * The one contract between the renderer and the main process. Every method has a zod schema
 * for its request and its response; both transports (Electron IPC and the browser-mode
 * WebSocket) are derived from `methods` and `events`, and both validate on receipt.
 * Pure TypeScript and zod only: no Node, no Electron, no React.
 */
import { z } from 'zod'

// ---------------------------------------------------------------- shared shapes

const uuid = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    'expected a lowercase UUID',
  )
const version = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const isoDate = z.string().datetime({ offset: true })
const limit = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback)
const taskId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/)

/** Any JSON value: how aggregate state and event payloads cross the boundary. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
export const JsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(JsonValue),
    z.record(z.string(), JsonValue),
  ]),
)

export const StoreKind = z.enum(['memory', 'sqlite', 'cassandra'])
export type StoreKind = z.infer<typeof StoreKind>

const hostPort = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9.\-:[\]]+$/, 'expected host or host:port')

export const ConnectionSettings = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('memory') }).strict(),
  z
    .object({
      kind: z.literal('sqlite'),
      /** A file path; omitted: the app's default database file. */
      path: z.string().min(1).max(4096).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('cassandra'),
      contactPoints: z.array(hostPort).min(1).max(32),
      localDataCenter: z.string().min(1).max(128),
      keyspace: z
        .string()
        .regex(/^[a-zA-Z][a-zA-Z0-9_]{0,47}$/, 'a keyspace is letters, digits and _'),
      username: z.string().max(256).optional(),
      password: z.string().max(1024).optional(),
      tls: z.boolean().default(false),
    })
    .strict(),
])
export type ConnectionSettings = z.infer<typeof ConnectionSettings>

/** What the UI may know of the connection: never the password, never the cipher key. */
export const ConnectionInfo = z.object({
  status: z.enum(['connected', 'disconnected']),
  kind: StoreKind.optional(),
  description: z.string(),
  /** Settings as entered, without secrets; to pre-fill the connection screen. */
  settings: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('memory') }),
      z.object({ kind: z.literal('sqlite'), path: z.string().optional() }),
      z.object({
        kind: z.literal('cassandra'),
        contactPoints: z.array(z.string()),
        localDataCenter: z.string(),
        keyspace: z.string(),
        username: z.string().optional(),
        tls: z.boolean(),
      }),
    ])
    .optional(),
  encrypted: z.boolean(),
  /** Why there is no encryption, or which cipher; shown to the user. */
  encryptionNote: z.string(),
  snapshotPeriod: z.number().int().min(0),
  /**
   * Where the cipher key in use comes from (never the key itself): EVENTSCOPE_CIPHER_KEY, the
   * desktop app's secure store, entered for this run only, or none (not encrypted).
   */
  keySource: z.enum(['environment', 'saved', 'entered', 'none']),
  /** Whether `setCipherKey({ remember: true })` can keep the key: only with a secure OS store. */
  canRememberKey: z.boolean(),
  /** The last connection error, if the last attempt failed. */
  error: z.string().optional(),
  /** While connected: whether the store answers, since when, and the last outage it recovered from. */
  availability: z
    .object({
      state: z.enum(['available', 'unavailable']),
      /** When the current state began (connected or recovered; first failure). */
      since: isoDate,
      /** Why the store is unavailable (its last failure). */
      reason: z.string().optional(),
      /** The last outage that ended: when requests began failing and when the store answered again. */
      lastOutage: z.object({ from: isoDate, to: isoDate }).optional(),
    })
    .optional(),
})
export type ConnectionInfo = z.infer<typeof ConnectionInfo>

export const AggregateSummary = z.object({
  id: uuid,
  /** Aggregate class topic, e.g. example#ExampleAggregateRoot. */
  type: z.string(),
  version,
  createdAt: isoDate,
  lastModified: isoDate,
  discarded: z.boolean(),
})
export type AggregateSummary = z.infer<typeof AggregateSummary>

export const EventDto = z.object({
  originatorId: uuid,
  version,
  topic: z.string(),
  /** The event class name without its aggregate prefix, e.g. AttributeChanged. */
  type: z.string(),
  timestamp: isoDate,
  payload: JsonValue,
  hash: z.string(),
  previousHash: z.string(),
})
export type EventDto = z.infer<typeof EventDto>

export const HashChainStatus = z.object({
  status: z.enum(['verified', 'broken']),
  message: z.string().optional(),
  brokenAtVersion: version.optional(),
})

export const AggregateView = z.object({
  id: uuid,
  type: z.string(),
  /** The version shown (the requested `at`, or the latest). */
  version,
  latestVersion: version,
  createdOn: isoDate,
  lastModified: isoDate,
  discarded: z.boolean(),
  /** The aggregate's state as a readable tree (child entities included); null once discarded. */
  state: JsonValue,
  hashChain: HashChainStatus,
  encrypted: z.boolean(),
  /** The snapshot the state was loaded from, if any, and how many events were replayed after it. */
  loadedFromSnapshot: version.optional(),
  eventsReplayed: z.number().int().min(0),
})
export type AggregateView = z.infer<typeof AggregateView>

export const SnapshotDto = z.object({
  originatorId: uuid,
  version,
  timestamp: isoDate,
  type: z.string(),
  state: JsonValue,
})
export type SnapshotDto = z.infer<typeof SnapshotDto>

export const DiffEntry = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  kind: z.enum(['added', 'removed', 'changed']),
  before: JsonValue.optional(),
  after: JsonValue.optional(),
})
export type DiffEntry = z.infer<typeof DiffEntry>

export const RawRecord = z.object({
  originatorId: uuid,
  originatorVersion: version,
  topic: z.string(),
  /** The stored state bytes exactly as in the database, base64. */
  stateBase64: z.string(),
  encrypted: z.boolean(),
  byteLength: z.number().int().min(0),
})
export type RawRecord = z.infer<typeof RawRecord>

export const Command = z.discriminatedUnion('type', [
  z.object({ type: z.literal('setFoo'), value: z.string().max(10_000) }).strict(),
  z.object({ type: z.literal('createExample') }).strict(),
  z.object({ type: z.literal('discard') }).strict(),
])
export type Command = z.infer<typeof Command>

/** A loaded aggregate held in the main process, with its pending (unsaved) events. */
export const HandleDto = z.object({
  handleId: z.string(),
  aggregateId: uuid,
  /** The stored version this handle was loaded at (or last saved); -1 for a new aggregate. */
  loadedVersion: z.number().int().min(-1),
  /** The in-memory version, pending events included. */
  version: z.number().int().min(0),
  /** The newest stored version the service knows of (a save, a refused save, live changes); -1 before the first save. */
  storedVersion: z.number().int().min(-1),
  /**
   * True when the store holds a version newer than loadedVersion: after a save was refused with
   * ConcurrencyError, or when the service saw a newer batch stored. Saving pending events will
   * then be refused; refreshHandle (or a successful save) makes it false again.
   */
  stale: z.boolean(),
  pending: z.array(EventDto),
  state: JsonValue,
  discarded: z.boolean(),
})
export type HandleDto = z.infer<typeof HandleDto>

export const LogEntryDto = z.object({
  position: z.string(),
  originatorId: uuid,
  fromVersion: version,
  toVersion: version,
  topics: z.array(z.string()),
  recordedAt: isoDate,
})
export type LogEntryDto = z.infer<typeof LogEntryDto>

export const ActivityBucket = z.object({ start: isoDate, events: z.number().int().min(0) })
export type ActivityBucket = z.infer<typeof ActivityBucket>

/**
 * An AES key as base64 of 16, 24 or 32 bytes (24, 32 or 44 characters, padded). The messages
 * never repeat the value: it is a secret.
 */
export const CipherKeyBase64 = z
  .string()
  .regex(
    /^(?:[A-Za-z0-9+/]{22}==|[A-Za-z0-9+/]{32}|[A-Za-z0-9+/]{43}=)$/,
    'expected base64 of 16, 24 or 32 bytes (e.g. `openssl rand -base64 32`)',
  )

// ---------------------------------------------------------------- errors

export const ErrorCode = z.enum([
  'ConcurrencyError',
  'AggregateNotFound',
  'DataIntegrityError',
  'ValidationError',
  'StoreUnavailable',
  'NotConnected',
  'Cancelled',
  'InternalError',
])
export type ErrorCode = z.infer<typeof ErrorCode>

export const ConcurrencyDetails = z.object({
  aggregateId: uuid,
  /** The version the losing handle expected to write next. */
  expectedVersion: version,
  /** The version the store holds now. */
  actualVersion: version,
  /** The events stored by the winner since the loser loaded. */
  winningEvents: z.array(EventDto),
})
export type ConcurrencyDetails = z.infer<typeof ConcurrencyDetails>

export const ApiError = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Field problems for ValidationError; versions for ConcurrencyError; etc. */
  details: z.unknown().optional(),
})
export type ApiError = z.infer<typeof ApiError>

/** Every response crosses the boundary in this envelope: errors are values, not throws. */
export const Envelope = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: ApiError }),
  ])

// ---------------------------------------------------------------- methods

const Empty = z.object({}).strict()
const AggregateRef = z.object({ id: uuid }).strict()

export const methods = {
  getConnection: { request: Empty, response: ConnectionInfo },
  connect: { request: ConnectionSettings, response: ConnectionInfo },
  disconnect: { request: Empty, response: ConnectionInfo },
  /**
   * Uses this cipher key from now on (reconnecting to the same store if connected); with
   * `remember`, also keeps it in the OS's secure store (only where `canRememberKey`). A wrong
   * key is not detectable up front: reading records written with another key fails with
   * DataIntegrityError. The key is never sent back.
   */
  setCipherKey: {
    request: z.object({ keyBase64: CipherKeyBase64, remember: z.boolean() }).strict(),
    response: ConnectionInfo,
  },
  /** Clears the saved key; goes on with EVENTSCOPE_CIPHER_KEY if set, else without a key. */
  forgetCipherKey: { request: Empty, response: ConnectionInfo },

  listAggregateTypes: { request: Empty, response: z.array(z.string()) },
  listAggregates: {
    request: z
      .object({
        limit: limit(500, 100),
        pageToken: z.string().max(2048).optional(),
        idPrefix: z
          .string()
          .max(36)
          .regex(/^[0-9a-fA-F-]*$/, 'an id prefix is hex digits and dashes')
          .optional(),
        type: z.string().max(256).optional(),
        order: z.enum(['recent', 'id']).default('recent'),
      })
      .strict(),
    response: z.object({
      items: z.array(AggregateSummary),
      /** Pass as pageToken to continue; absent at the end. */
      nextPageToken: z.string().optional(),
      /** How many aggregates the store holds in all: idPrefix and type do not narrow it. */
      total: z.number().int().min(0),
    }),
  },
  getAggregate: {
    request: z.object({ id: uuid, at: version.optional(), taskId: taskId.optional() }).strict(),
    response: AggregateView,
  },
  listEvents: {
    request: z
      .object({
        id: uuid,
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
    response: z.object({
      items: z.array(EventDto),
      /** Pass as fromVersion to continue; absent at the end. */
      nextFromVersion: version.optional(),
      latestVersion: z.number().int().min(-1),
      /** How many events this page examined (for a search, more than it returned). */
      scanned: z.number().int().min(0),
    }),
  },
  getRawRecord: {
    request: z
      .object({ id: uuid, version, kind: z.enum(['event', 'snapshot']).default('event') })
      .strict(),
    response: RawRecord,
  },
  getEventDiff: {
    request: z.object({ id: uuid, version }).strict(),
    response: z.array(DiffEntry),
  },
  diffVersions: {
    request: z.object({ id: uuid, from: version, to: version }).strict(),
    response: z.object({ from: JsonValue, to: JsonValue, diff: z.array(DiffEntry) }),
  },
  listSnapshots: {
    request: z
      .object({
        id: uuid,
        /** Only snapshots above this version (exclusive): to ask for a range of versions. */
        afterVersion: version.optional(),
        /** Only snapshots below this version (exclusive): pass nextBeforeVersion to page back. */
        beforeVersion: version.optional(),
        limit: limit(1000, 200),
      })
      .strict(),
    response: z.object({
      /** Newest first. */
      items: z.array(SnapshotDto),
      /** Pass as beforeVersion (same afterVersion) for the next, older page; absent at the end. */
      nextBeforeVersion: version.optional(),
    }),
  },
  compareSnapshot: {
    request: z.object({ id: uuid, version }).strict(),
    response: z.object({
      snapshot: SnapshotDto,
      replayed: JsonValue,
      matches: z.boolean(),
      differences: z.array(DiffEntry),
    }),
  },
  getActivity: {
    request: z
      .object({ id: uuid.optional(), buckets: z.number().int().min(1).max(500).default(60) })
      .strict(),
    response: z.object({
      buckets: z.array(ActivityBucket),
      total: z.number().int().min(0),
      sampled: z.boolean(),
    }),
  },
  /** One page of the full history, in version order; the caller assembles the pages. */
  exportHistory: {
    request: z
      .object({
        id: uuid,
        /** First version of the page (inclusive). */
        fromVersion: version.default(0),
        limit: limit(5000, 2000),
        /** Makes the page cancellable, and reports progress over the whole history (done = versions exported). */
        taskId: taskId.optional(),
      })
      .strict(),
    response: z.object({
      aggregateId: uuid,
      type: z.string(),
      exportedAt: isoDate,
      /** The newest stored version when this page was read. */
      latestVersion: version,
      events: z.array(EventDto),
      /** Pass as fromVersion to continue; absent once the page reaches latestVersion. */
      nextFromVersion: version.optional(),
    }),
  },

  createHandle: {
    request: z.object({ foo: z.string().max(10_000) }).strict(),
    response: HandleDto,
  },
  openHandle: { request: AggregateRef, response: HandleDto },
  applyCommand: {
    request: z.object({ handleId: z.string().max(64), command: Command }).strict(),
    response: HandleDto,
  },
  /** The handle as it is now, unchanged: e.g. whether it went stale after live changes or a refused save. */
  getHandle: { request: z.object({ handleId: z.string().max(64) }).strict(), response: HandleDto },
  saveHandle: { request: z.object({ handleId: z.string().max(64) }).strict(), response: HandleDto },
  /** Drops the pending events and reloads the latest stored version (the demo's "Refresh"). */
  refreshHandle: {
    request: z.object({ handleId: z.string().max(64) }).strict(),
    response: HandleDto,
  },
  closeHandle: {
    request: z.object({ handleId: z.string().max(64) }).strict(),
    response: z.object({ closed: z.boolean() }),
  },

  seedDemoData: {
    request: z
      .object({
        aggregates: z.number().int().min(1).max(100_000),
        events: z.number().int().min(1).max(100_000),
        taskId,
      })
      .strict(),
    response: z.object({
      aggregates: z.number().int(),
      events: z.number().int(),
      cancelled: z.boolean(),
    }),
  },
  cancelTask: {
    request: z.object({ taskId }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
} as const

// ---------------------------------------------------------------- live events (main → renderer)

export const events = {
  /** New batches in the application log, whoever wrote them. */
  changes: z.object({ entries: z.array(LogEntryDto) }),
  /** Progress of a long call that was given a taskId. */
  progress: z.object({
    taskId,
    done: z.number().min(0),
    total: z.number().min(0),
    label: z.string(),
  }),
  connection: ConnectionInfo,
} as const

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
export const eventNames = Object.keys(events) as EventName[]

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name)
}

/** An error the renderer receives: carries the typed ApiError. */
export class ExplorerError extends Error {
  constructor(readonly error: ApiError) {
    super(error.message)
    this.name = error.code
  }
  get code(): ErrorCode {
    return this.error.code
  }
}
