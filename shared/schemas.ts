/**
 * The shapes the contract's methods carry (connection settings, DTOs, errors): zod schemas and
 * their types; a connection's settings come from settings.ts, where every setting is described.
 * `contract.ts` builds the methods and events from them and re-exports them all.
 * Pure TypeScript and zod only: no Node, no Electron, no React.
 * Schemas are built on first use (`z.lazy`): zod builds each schema with all its methods, and
 * building every one of the contract's at once took 20–40 ms of a page load's main thread before
 * the first answer could be read (issue 10); a page now builds only what its answers need.
 */
import { z } from 'zod'
import { LOWERCASE_UUID, MAX_AGGREGATE_ID_LENGTH } from './contractBasics'
import { DisplayValue } from './jsonValue'
import { OmittedChildren, ShortenedString } from './statePages'
import { connectionOptions, LabelColour, StoreKind } from './settings'

// ---------------------------------------------------------------- shared shapes

export const uuid = z.lazy(() => z.string().regex(LOWERCASE_UUID, 'expected a lowercase UUID'))
/**
 * An aggregate id as the read methods carry it: a UUID in Eventscope's own stores (the service
 * refuses any other for them: serviceQueries.ts), any text in a Python store whose aggregates
 * have text ids (ORIGINATOR_ID_TYPE=text). Such text is data, control characters and all: the
 * UI shows what cannot be seen as markers (renderer/src/ui/VisibleText.tsx).
 */
export const aggregateId = z.lazy(() =>
  z
    .string()
    .min(1, 'an aggregate id is not empty')
    .max(
      MAX_AGGREGATE_ID_LENGTH,
      `an aggregate id has at most ${MAX_AGGREGATE_ID_LENGTH} characters`,
    ),
)
export const version = z.lazy(() => z.number().int().min(0).max(Number.MAX_SAFE_INTEGER))
export const isoDate = z.lazy(() => z.string().datetime({ offset: true }))
export const limit = (max: number, fallback: number) =>
  z.number().int().min(1).max(max).default(fallback)
export const taskId = z.lazy(() =>
  z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/),
)

/** Any JSON value (jsonValue.ts): how aggregate state and event payloads cross the boundary. */
export { DisplayValue, isDisplayValue, isJsonValue, JsonValue } from './jsonValue'
export { OmittedChildren, ShortenedString, StateChild, StatePath } from './statePages'

// The connection's settings and their parts are described with the environment's settings, once.
export { ConnectionSettings, LabelColour, StoreKind } from './settings'

/**
 * The cipher key in use compared with the store's key check (see the library's keyCheck):
 * `verified`, `new-store` and `inferred` can write; the others are mismatches and make the
 * connection read-only until the key is fixed. `message` says it in a user's words.
 */
export const KeyStatus = z.lazy(() =>
  z.object({
    state: z.enum([
      'verified',
      'new-store',
      'inferred',
      'missing-key',
      'wrong-key',
      'unexpected-key',
    ]),
    basis: z.enum(['check-record', 'stored-event', 'empty-store']),
    mismatch: z.boolean(),
    message: z.string(),
  }),
)
export type KeyStatus = z.infer<typeof KeyStatus>

/** A module of aggregate types (EVENTSCOPE_MODULES, or picked in the desktop app). */
export const AggregateModuleInfo = z.lazy(() =>
  z.object({
    /** The module file, absolute. */
    path: z.string(),
    /** The topics of the types it registered. */
    types: z.array(z.string()),
    /** Why it failed (missing, threw, exports no function); its types so far stay registered. */
    error: z.string().optional(),
  }),
)
export type AggregateModuleInfo = z.infer<typeof AggregateModuleInfo>

/** What the UI may know of the connection: never the password, never the cipher key. */
/** A Python application's table settings, as a connection shows them. */
const pythonShown = {
  pythonApplication: z.lazy(() => z.string().optional()),
  pythonEventsTable: z.lazy(() => z.string().optional()),
  pythonSnapshotsTable: z.lazy(() => z.string().optional()),
}

export const ConnectionInfo = z.lazy(() =>
  z.object({
    status: z.enum(['connected', 'disconnected']),
    kind: StoreKind.optional(),
    description: z.string(),
    /** Settings as entered, without secrets; to pre-fill the connection screen. */
    settings: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('memory'), ...connectionOptions }),
        z.object({ kind: z.literal('sqlite'), path: z.string().optional(), ...connectionOptions }),
        z.object({
          ...connectionOptions,
          kind: z.literal('cassandra'),
          contactPoints: z.array(z.string()),
          localDataCenter: z.string(),
          keyspace: z.string(),
          username: z.string().optional(),
          tls: z.boolean(),
        }),
        z.object({
          ...connectionOptions,
          kind: z.literal('python-sqlite'),
          path: z.string(),
          ...pythonShown,
        }),
        z.object({
          ...connectionOptions,
          kind: z.literal('python-postgres'),
          pgHost: z.string(),
          pgPort: z.number().int(),
          pgDatabase: z.string(),
          pgUser: z.string().optional(),
          pgSchema: z.string().optional(),
          pgTls: z.boolean(),
          ...pythonShown,
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
    /** Whether writing methods are refused now: asked for (settings.readOnly) or a key mismatch. */
    readOnly: z.boolean(),
    /** Why writing is refused, in words for the user; absent when writable. */
    readOnlyReason: z.string().optional(),
    /** Whether the connection was opened read-only on purpose (the connection screen's toggle). */
    requestedReadOnly: z.boolean(),
    /** EVENTSCOPE_READ_ONLY is set: every connection of this run is read-only, whatever is asked. */
    readOnlyLocked: z.boolean().optional(),
    /** The cipher key compared with the store's key check; absent while disconnected. */
    keyStatus: KeyStatus.optional(),
    /**
     * New each time the store is opened (connect, a cipher key change): what the UI loaded under an
     * earlier session was read with another key or connection, so it is reloaded or cleared.
     */
    sessionId: z.string().optional(),
    /** The connection's environment label, shown in the header. */
    label: z.object({ text: z.string(), colour: LabelColour }).optional(),
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
    /** The modules of aggregate types loaded in this run, with their types or why they failed. */
    modules: z.array(AggregateModuleInfo).optional(),
  }),
)
export type ConnectionInfo = z.infer<typeof ConnectionInfo>

export const AggregateSummary = z.lazy(() =>
  z.object({
    id: aggregateId,
    /** Aggregate class topic, e.g. bank#Account. */
    type: z.string(),
    version,
    /**
     * null: the store holds no time it can read for it (a Python store's encrypted events
     * without the key): said as unknown rather than shown as some date.
     */
    createdAt: isoDate.nullable(),
    lastModified: isoDate.nullable(),
    discarded: z.boolean(),
  }),
)
export type AggregateSummary = z.infer<typeof AggregateSummary>

/**
 * What an event does to its aggregate, decided by its registered class (a type may call its
 * discard event anything, e.g. bank#Account.Closed); for a topic no loaded module registers, by
 * its name (`.Created`, `.Discarded`) and version 0.
 */
export const EventRole = z.lazy(() => z.enum(['created', 'changed', 'discarded']))
export type EventRole = z.infer<typeof EventRole>

export const EventDto = z.lazy(() =>
  z.object({
    originatorId: aggregateId,
    version,
    topic: z.string(),
    /** The event class name without its aggregate prefix, e.g. AttributeChanged. */
    type: z.string(),
    role: EventRole,
    timestamp: isoDate,
    payload: DisplayValue,
    /** Strings listEvents shortened (longStrings.ts); exportHistory sends the payload whole. */
    payloadShortened: z.array(ShortenedString).default([]),
    hash: z.string(),
    previousHash: z.string(),
    /**
     * Why this stored event cannot be read (a Python store's damaged row; a DataIntegrityError's
     * message): its payload is null and its timestamp unknown (the Unix epoch, not a date to
     * show). The page's other events are listed; a store without a hash chain taints nothing else.
     */
    problem: z.string().optional(),
  }),
)
export type EventDto = z.infer<typeof EventDto>

/**
 * What a load checked, never more: a snapshot linked to the stored event at its version and the
 * events after it (fromVersion..toVersion; none when fromVersion > toVersion), or every event
 * from creation to toVersion. Either way, a load of the latest also found the newest version
 * the aggregate index recorded.
 */
export const HashChainScope = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('snapshotLinked'),
      snapshotVersion: version,
      fromVersion: version,
      toVersion: version,
    }),
    z.object({ kind: z.literal('fromCreation'), toVersion: version }),
  ]),
)
export type HashChainScope = z.infer<typeof HashChainScope>

export const HashChainStatus = z.lazy(() =>
  z.object({
    /** `absent`: the store keeps no hash chain (a Python eventsourcing store); nothing was verified. */
    status: z.enum(['verified', 'broken', 'absent']),
    /** What this load checked (when verified). */
    checked: HashChainScope.optional(),
    /** The last Verify whole history of this aggregate that found no problem, if any this session. */
    wholeHistory: z.object({ verifiedAt: isoDate, toVersion: z.number().int().min(-1) }).optional(),
    message: z.string().optional(),
    brokenAtVersion: version.optional(),
  }),
)
export type HashChainStatus = z.infer<typeof HashChainStatus>

/** One thing Verify found wrong: the aggregate, the first bad version, and what is wrong there. */
export const IntegrityProblemDto = z.lazy(() =>
  z.object({
    /**
     * The id as stored: an index row another program wrote may hold one that is no aggregate's
     * (Verify store reports it rather than failing), so any text here.
     */
    aggregateId: z.string().min(1),
    version,
    kind: z.enum(['missing', 'unlinked', 'tampered', 'undecodable', 'unlisted']),
    message: z.string(),
  }),
)
export type IntegrityProblemDto = z.infer<typeof IntegrityProblemDto>

export const HistoryVerificationDto = z.lazy(() =>
  z.object({
    aggregateId: aggregateId,
    /** From the index entry or the creation event; empty when neither exists. */
    type: z.string(),
    /** The newest stored version (-1: none). */
    lastVersion: z.number().int().min(-1),
    eventsChecked: z.number().int().min(0),
    snapshotsChecked: z.number().int().min(0),
    verifiedAt: isoDate,
    problems: z.array(IntegrityProblemDto),
    /** More problems were found than listed. */
    truncated: z.boolean(),
  }),
)
export type HistoryVerificationDto = z.infer<typeof HistoryVerificationDto>

/**
 * Why the newest snapshots of an aggregate are not taken: its latest failure this connection
 * saw (saves and loads stand; a snapshot is an optimisation), until one at or after `version`
 * succeeds.
 */
export const SnapshotFailureDto = z.lazy(() =>
  z.object({ version, at: isoDate, message: z.string() }),
)
export type SnapshotFailureDto = z.infer<typeof SnapshotFailureDto>

export const AggregateView = z.lazy(() =>
  z.object({
    id: aggregateId,
    type: z.string(),
    /** The version shown (the requested `at`, or the latest). */
    version,
    latestVersion: version,
    /** Null when the event it is read from cannot be read (a Python store's damaged row). */
    createdOn: isoDate.nullable(),
    lastModified: isoDate.nullable(),
    discarded: z.boolean(),
    /**
     * The aggregate's state as a readable tree (child entities included); null once discarded.
     * Cut to each container's first children (statePages.ts): `stateOmitted` lists the cut ones.
     */
    state: DisplayValue,
    stateOmitted: z.array(OmittedChildren).default([]),
    /** Strings of `state` shortened to their first STRING_SHOWN_MAX characters (statePages.ts). */
    stateShortened: z.array(ShortenedString).default([]),
    hashChain: HashChainStatus,
    encrypted: z.boolean(),
    /** The snapshot the state was loaded from (with `fromCheckpoint` at its version: a copy an
     * earlier answer decoded, kept in memory), if any; eventsReplayed counts the events after it. */
    loadedFromSnapshot: version.optional(),
    /**
     * False when no loaded module registers this aggregate's type: its events cannot be applied,
     * so `state` is the newest snapshot's at or below `version` (loadedFromSnapshot; null if none).
     */
    definitionLoaded: z.boolean().default(true),
    /**
     * The in-memory checkpoint the state was replayed from (eventsReplayed after it), if any: a
     * state this app's own verified replay kept at that version (at verifiedAt). Its chain is
     * what `hashChain.checked` states; hashChain.message says which part was checked then.
     */
    fromCheckpoint: z.object({ version, verifiedAt: isoDate }).optional(),
    eventsReplayed: z.number().int().min(0),
    /** Taking snapshots of this aggregate fails (as of this answer). */
    snapshotFailure: SnapshotFailureDto.optional(),
  }),
)
export type AggregateView = z.infer<typeof AggregateView>

export const SnapshotDto = z.lazy(() =>
  z.object({
    originatorId: aggregateId,
    version,
    timestamp: isoDate,
    type: z.string(),
    state: DisplayValue,
    /**
     * Where `state` is cut to each container's first children (listSnapshots, as getAggregate;
     * statePages.ts): the containers cut. getStateChildren with `snapshot: true` sends the rest.
     */
    stateOmitted: z.array(OmittedChildren).default([]),
    /** Strings of `state` shortened to their first STRING_SHOWN_MAX characters (statePages.ts). */
    stateShortened: z.array(ShortenedString).default([]),
  }),
)
export type SnapshotDto = z.infer<typeof SnapshotDto>

/** A stored snapshot without its state (listSnapshotSummaries; listSnapshots sends the state). */
export const SnapshotSummaryDto = z.lazy(() =>
  z.object({
    originatorId: aggregateId,
    version,
    /** Null when the record cannot be read (`problem`). */
    timestamp: isoDate.nullable(),
    type: z.string().nullable(),
    /** Its state is null: the aggregate was discarded at this version. */
    discarded: z.boolean(),
    /** The stored state's size in bytes (compressed, and encrypted where the store is). */
    storedBytes: z.number().int().min(0),
    /**
     * Why this record cannot be read (a DataIntegrityError's message: damaged, tampered with,
     * another key): the rest of the list is still listed.
     */
    problem: z.string().optional(),
  }),
)
export type SnapshotSummaryDto = z.infer<typeof SnapshotSummaryDto>

export const DiffEntry = z.lazy(() =>
  z.object({
    path: z.array(z.union([z.string(), z.number()])),
    kind: z.enum(['added', 'removed', 'changed']),
    before: DisplayValue.optional(),
    after: DisplayValue.optional(),
  }),
)
export type DiffEntry = z.infer<typeof DiffEntry>

export const RawRecord = z.lazy(() =>
  z.object({
    originatorId: aggregateId,
    originatorVersion: version,
    topic: z.string(),
    /** The stored state bytes exactly as in the database, base64. */
    stateBase64: z.string(),
    encrypted: z.boolean(),
    byteLength: z.number().int().min(0),
  }),
)
export type RawRecord = z.infer<typeof RawRecord>

// ---------------------------------------------------------------- the log and activity

export const LogEntryDto = z.lazy(() =>
  z.object({
    position: z.string(),
    originatorId: aggregateId,
    fromVersion: version,
    toVersion: version,
    topics: z.array(z.string()),
    /** One of these events discards the aggregate (decided as EventDto.role is). */
    discards: z.boolean(),
    recordedAt: isoDate,
  }),
)
export type LogEntryDto = z.infer<typeof LogEntryDto>

export const ActivityBucket = z.lazy(() =>
  z.object({ start: isoDate, events: z.number().int().min(0) }),
)
export type ActivityBucket = z.infer<typeof ActivityBucket>

/**
 * An AES key as base64 of 16, 24 or 32 bytes (24, 32 or 44 characters, padded). The messages
 * never repeat the value: it is a secret.
 */
export const CipherKeyBase64 = z.lazy(() =>
  z.string().regex(
    /^(?:[A-Za-z0-9+/]{22}==|[A-Za-z0-9+/]{32}|[A-Za-z0-9+/]{43}=)$/,
    // Shown to the user as is: plain words, no syntax.
    'This is not a cipher key: a key is 16, 24 or 32 bytes written in base64 (24, 32 or 44 characters), such as the output of openssl rand -base64 32.',
  ),
)

// ---------------------------------------------------------------- errors

export const ErrorCode = z.lazy(() =>
  z.enum([
    'ConcurrencyError',
    'AggregateNotFound',
    'DataIntegrityError',
    'ValidationError',
    'StoreUnavailable',
    'NotConnected',
    /**
     * A writing method on a read-only connection (asked for, or a cipher key mismatch); details
     * say which method and why. Its own code, not ValidationError: the request itself is valid,
     * the connection refuses it, and the UI points to the connection screen rather than the input.
     */
    'ReadOnly',
    /** A command the aggregate's own rules refused (e.g. an overdraft): nothing was stored. */
    'DomainError',
    'Cancelled',
    'InternalError',
  ]),
)
export type ErrorCode = z.infer<typeof ErrorCode>

export const ConcurrencyDetails = z.lazy(() =>
  z.object({
    aggregateId: uuid,
    /** The version the refused batch tried to store first (its expectedVersion + 1). */
    expectedVersion: version,
    /** The version the store holds now. */
    actualVersion: version,
    /** The events stored by the winner after the refused batch's expectedVersion (200 at most). */
    winningEvents: z.array(EventDto),
  }),
)
export type ConcurrencyDetails = z.infer<typeof ConcurrencyDetails>

export const ApiError = z.lazy(() =>
  z.object({
    code: ErrorCode,
    message: z.string(),
    /** Field problems for ValidationError; versions for ConcurrencyError; etc. */
    details: z.unknown().optional(),
  }),
)
export type ApiError = z.infer<typeof ApiError>

/** Every response crosses the boundary in this envelope: errors are values, not throws. */
export const Envelope = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: ApiError }),
  ])
