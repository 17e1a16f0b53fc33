/**
 * The main-process service behind the contract: queries over one EverythingApplication, staged
 * commands on handles (the concurrency demo), live updates from the application log, demo
 * data. It knows nothing of transports: requests arrive parsed (dispatch validates them),
 * values go back, failures are library errors or ApiFailure, live events go to `emit`.
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { isWriteMethod, methodNames } from '../../shared/contract'
import type {
  ConcurrencyDetails,
  ConnectionInfo,
  ConnectionSettings,
  DiffEntry,
  EventDto,
  EventName,
  EventOf,
  ExplorerHandlers,
  HandleDto,
  MethodName,
  ParsedRequestOf,
  ResponseOf,
} from '../../shared/contract'
import { EventBus } from '../eventsourcing/domain/bus'
import type { EventBatch } from '../eventsourcing/domain/aggregate'
import type { DomainEvent } from '../eventsourcing/domain/events'
import {
  AggregateNotFound,
  ConcurrencyError,
  ConfigurationError,
  EntityIsDiscarded,
  StoreUnavailable,
} from '../eventsourcing/errors'
import { Repository } from '../eventsourcing/application/repository'
import { SnapshotStrategy } from '../eventsourcing/application/snapshotStrategy'
import { verifiedPages } from '../eventsourcing/application/verification'
import type { LogEntry, Store } from '../eventsourcing/persistence/recorder'
import { openStore, type StoreSettings } from '../eventsourcing/persistence/stores'
import { EverythingApplication } from '../example/everythingApplication'
import { ExampleAggregateRoot } from '../example/exampleAggregateRoot'
import { AvailabilityTracker, trackAvailability } from './availability'
import { CONNECTION_CLOSED, ConnectionLeases } from './connectionLeases'
import { ApiFailure } from './dispatch'
import { LogFollower } from './logFollower'
import { displayState, eventDto, logEntryDto } from './dto'
import { yieldingStore } from './yieldingStore'
import type { Connection } from './connection'
import * as queries from './queries'
import { seedDemoData } from './seeding'
import { connectionLabel, keyStatusOf, writeRefusal } from './access'
import { createSqlitePathPolicy, type SqlitePathPolicy } from './sqlitePathPolicy'
import {
  DEFAULT_SNAPSHOT_PERIOD,
  SQLITE_FILE_NAME,
  describeEncryption,
  parseCipherKey,
  parseSnapshotPeriod,
  readOnlyLockFromEnv,
  type KeySource,
} from './settings'

// Moved out, importable from here as before.
export { bucketize } from './activity'
export { displayState, eventDto } from './dto'

export type Emit = <E extends EventName>(event: E, payload: EventOf<E>) => void

/**
 * Where the desktop app keeps an entered cipher key between runs (Electron's safeStorage).
 * Absent (browser mode): an entered key lives only as long as this service.
 */
export interface CipherKeyStore {
  /** Whether a secure store exists here (e.g. an OS keychain is available). */
  available(): boolean
  save(key: Uint8Array): void | Promise<unknown>
  clear(): void | Promise<unknown>
}

export interface ExplorerServiceOptions {
  /** Live events for the renderer (`changes`, `progress`, `connection`). */
  readonly emit: Emit
  /**
   * Where EVENTSCOPE_CIPHER_KEY and EVENTSCOPE_SNAPSHOT_PERIOD are read from when `cipherKey`
   * and `snapshotPeriod` are not given. An invalid value does not throw: the service stays
   * disconnected and the connection info says what to fix.
   */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Holds the default SQLite file (`eventscope.sqlite`) unless `defaultSqlitePath` is given. */
  readonly dataDir?: string
  /** AES key; undefined: no encryption. Stays in this process. Reported as the environment's. */
  readonly cipherKey?: Uint8Array | undefined
  /** A key saved by an earlier run (keyStore); used when the environment has none. */
  readonly savedCipherKey?: Uint8Array | undefined
  /** Keeps an entered key between runs (`setCipherKey({ remember: true })`). */
  readonly keyStore?: CipherKeyStore
  readonly snapshotPeriod?: number
  /** The file a sqlite connection without a path opens. */
  readonly defaultSqlitePath?: string
  /** Which SQLite files `connect` may open; default: any file in an existing folder. */
  readonly sqlitePathPolicy?: SqlitePathPolicy
  /** How often the log follower polls (default 400 ms). */
  readonly pollIntervalMs?: number
  /** Live handles kept at most; the least recently used is dropped beyond (default 200). */
  readonly maxHandles?: number
  /** Events scanned at most by one filtered listEvents call (default 5,000). */
  readonly scanBudget?: number
  /**
   * How long a reconnect waits for the requests in flight on the old connection before it
   * aborts its tasks and closes it (default 5,000 ms).
   */
  readonly drainTimeoutMs?: number
}

interface Handle {
  readonly id: string
  aggregate: ExampleAggregateRoot
  loadedVersion: number
  /** The newest stored version this service knows of; above loadedVersion, the handle is stale. */
  storedVersion: number
  /** Operations on one handle run one after another. */
  queue: Promise<unknown>
}

interface KeyState {
  readonly cipherKey: Uint8Array | undefined
  readonly keySource: KeySource
  readonly keyError: string | undefined
}

const MAX_WINNING_EVENTS = 200
const CHANGES_CHUNK = 1000

export class ExplorerService implements ExplorerHandlers {
  private readonly emit: Emit
  private cipherKey: Uint8Array | undefined
  private keySource: KeySource
  /** The environment's key (or the `cipherKey` option): what forgetCipherKey falls back to. */
  private readonly environmentKey: Uint8Array | undefined
  private readonly snapshotPeriod: number
  private readonly defaultSqlitePath: string | undefined
  private readonly sqlitePathPolicy: SqlitePathPolicy
  private readonly maxHandles: number
  private readonly scanBudget: number
  /** What the query handlers (queries.ts) use of this service. */
  private readonly queryContext: queries.QueryContext
  private connection: Connection | undefined
  /** The last settings tried and why they failed, for the connection screen. */
  private lastSettings: ConnectionSettings | undefined
  private lastError: string | undefined
  private followerError: string | undefined
  private readonly handles = new Map<string, Handle>()
  private readonly tasks = new Map<string, AbortController>()
  /** The last Verify whole history without a problem, per aggregate (this connection only). */
  private readonly wholeHistoryVerified = new Map<
    string,
    { verifiedAt: string; toVersion: number }
  >()
  private connecting: Promise<unknown> = Promise.resolve()
  /** EVENTSCOPE_READ_ONLY: every connection of this run is read-only. */
  private readonly readOnlyLocked: boolean
  /** The task id of the seed running now, if any: one seed at a time. */
  private seedingTask: string | undefined
  /** Requests hold the connection they started on until they end; a reconnect waits for them. */
  private readonly leases = new ConnectionLeases<Connection>()
  /** Handles the last reconnect dropped: using one is NotConnected, not an unknown handle. */
  private droppedHandles = new Set<string>()

  /** A malformed EVENTSCOPE_CIPHER_KEY: nothing connects until it is fixed or a key is entered. */
  private keyError: string | undefined
  /** A malformed EVENTSCOPE_SNAPSHOT_PERIOD: nothing connects until it is fixed. */
  private readonly periodError: string | undefined

  /** Settings that cannot work: nothing connects until they are fixed. */
  private get configurationError(): string | undefined {
    return this.keyError ?? this.periodError
  }

  constructor(private readonly options: ExplorerServiceOptions) {
    this.emit = options.emit
    const env = options.env ?? {}
    this.readOnlyLocked = readOnlyLockFromEnv(env)
    let environmentKey: Uint8Array | undefined
    let snapshotPeriod = DEFAULT_SNAPSHOT_PERIOD
    try {
      environmentKey =
        'cipherKey' in options ? options.cipherKey : parseCipherKey(env['EVENTSCOPE_CIPHER_KEY'])
    } catch (error) {
      this.keyError = `${messageOf(error)}; fix it and restart, or enter a key`
    }
    try {
      snapshotPeriod =
        options.snapshotPeriod ?? parseSnapshotPeriod(env['EVENTSCOPE_SNAPSHOT_PERIOD'])
    } catch (error) {
      this.periodError = `${messageOf(error)}; fix it and restart`
    }
    this.environmentKey = environmentKey
    // The environment's key wins; a saved one is used when the environment has none.
    if (environmentKey) {
      this.cipherKey = environmentKey
      this.keySource = 'environment'
    } else if (options.savedCipherKey && this.keyError === undefined) {
      this.cipherKey = options.savedCipherKey
      this.keySource = 'saved'
    } else {
      this.keySource = 'none'
    }
    this.snapshotPeriod = snapshotPeriod
    this.defaultSqlitePath =
      options.defaultSqlitePath ??
      (options.dataDir === undefined ? undefined : join(options.dataDir, SQLITE_FILE_NAME))
    this.sqlitePathPolicy = options.sqlitePathPolicy ?? createSqlitePathPolicy({ restrict: false })
    // Transports look handlers up by name and may call them detached from the service.
    const self = this as unknown as Record<MethodName, (request: unknown) => Promise<unknown>>
    for (const name of methodNames) {
      const handler = self[name].bind(this)
      // The one guard for writing methods, driven by the contract's `access` (see access.ts);
      // every request leases the connection it started on (ConnectionLeases).
      const guarded = isWriteMethod(name)
        ? (request: unknown) => this.guardWrite(name, handler, request)
        : handler
      self[name] = (request) => this.leases.run(() => guarded(request))
    }
    this.maxHandles = options.maxHandles ?? 200
    this.scanBudget = options.scanBudget ?? 5000
    this.queryContext = {
      conn: () => this.conn(),
      runTask: (taskId, body) => this.runTask(taskId, body),
      progress: (taskId, total, label) => this.progress(taskId, total, label),
      scanBudget: this.scanBudget,
      wholeHistoryVerified: this.wholeHistoryVerified,
    }
  }

  // ------------------------------------------------------------------ connection

  async getConnection(): Promise<ConnectionInfo> {
    return this.info()
  }

  /**
   * Opens the store and an application over it, closing the previous one first. A SQLite path
   * the policy refuses is a ValidationError that leaves the current connection alone.
   */
  async connect(settings: ParsedRequestOf<'connect'>): Promise<ConnectionInfo> {
    const checked =
      settings.kind === 'sqlite' && settings.path !== undefined
        ? { ...settings, path: await this.sqlitePathPolicy.check(settings.path) }
        : settings
    return this.serially(() => this.open(checked))
  }

  /**
   * Uses another cipher key from now on: the application is reopened over the same store. A
   * wrong key cannot be told up front; reading what another key wrote fails (DataIntegrityError).
   */
  async setCipherKey({
    keyBase64,
    remember,
  }: ParsedRequestOf<'setCipherKey'>): Promise<ConnectionInfo> {
    // The schema checked the form; the decoded length is checked again all the same.
    const key = new Uint8Array(Buffer.from(keyBase64, 'base64'))
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
      throw new ApiFailure({
        code: 'ValidationError',
        message: 'a cipher key must be base64 of 16, 24 or 32 bytes',
      })
    }
    if (remember && !this.canRememberKey()) {
      throw new ApiFailure({
        code: 'ValidationError',
        message: 'this app cannot remember a key here (no secure store); use it without remember',
      })
    }
    return this.serially(async () => {
      if (remember) {
        try {
          await this.options.keyStore!.save(key)
        } catch (error) {
          throw new ApiFailure({
            code: 'InternalError',
            message: `could not save the cipher key: ${this.redact(messageOf(error), key)}`,
          })
        }
      }
      // A malformed EVENTSCOPE_CIPHER_KEY kept the last connect from happening: try it now.
      const blocked = this.keyError !== undefined && this.periodError === undefined
      const before = this.keyState()
      this.cipherKey = key
      this.keySource = remember ? 'saved' : 'entered'
      this.keyError = undefined
      return this.reopenWithKey(before, blocked)
    })
  }

  /** Clears a saved key and goes on with the environment's key, or without one. */
  async forgetCipherKey(): Promise<ConnectionInfo> {
    return this.serially(async () => {
      try {
        await this.options.keyStore?.clear()
      } catch (error) {
        throw new ApiFailure({
          code: 'InternalError',
          message: `could not clear the saved cipher key: ${this.redact(messageOf(error))}`,
        })
      }
      const before = this.keyState()
      this.cipherKey = this.environmentKey
      this.keySource = this.environmentKey ? 'environment' : 'none'
      return this.reopenWithKey(before)
    })
  }

  private keyState(): KeyState {
    return { cipherKey: this.cipherKey, keySource: this.keySource, keyError: this.keyError }
  }

  /**
   * Reopens with the key just set. When that fails while a connection works, the connection
   * keeps working with its own key, so the key in use (and the saved one) goes back to what it
   * was: the screen says "not changed", and nothing it shows is false.
   */
  private async reopenWithKey(before: KeyState, retryLast = false): Promise<ConnectionInfo> {
    try {
      return await this.reopen(retryLast)
    } catch (error) {
      if (!this.connection) throw error
      const savedChanged = this.keySource === 'saved' || before.keySource === 'saved'
      ;({ cipherKey: this.cipherKey, keySource: this.keySource, keyError: this.keyError } = before)
      if (savedChanged && this.options.keyStore) {
        try {
          if (before.keySource === 'saved' && before.cipherKey)
            await this.options.keyStore.save(before.cipherKey)
          else await this.options.keyStore.clear()
        } catch {
          // The key in memory is right; the saved one is whatever the store kept.
        }
      }
      this.emit('connection', this.info())
      throw error
    }
  }

  /** After a key change: reconnect to the same store if connected, else just report it. */
  private async reopen(retryLast = false): Promise<ConnectionInfo> {
    const settings = this.connection?.settings ?? (retryLast ? this.lastSettings : undefined)
    if (settings) return this.open(settings)
    this.emit('connection', this.info())
    return this.info()
  }

  /**
   * Opens a connection to `settings`; only once it works does it replace the current one, which
   * then serves its requests in flight before it is closed. A failed attempt keeps it.
   */
  private async open(settings: ConnectionSettings): Promise<ConnectionInfo> {
    this.lastSettings = settings
    this.lastError = undefined
    if (this.configurationError !== undefined) {
      this.emit('connection', this.info())
      throw new ConfigurationError(this.configurationError)
    }
    let store: Store | undefined
    let app: EverythingApplication | undefined
    let next: Connection | undefined
    try {
      store = await openStore(this.storeSettings(settings))
      const availability = new AvailabilityTracker(() => {
        if (this.connection !== next || !next) return
        // Recovered: the follower's "live updates paused" is over too.
        if (next.availability.available) this.followerError = undefined
        this.emit('connection', this.info())
      })
      app = new EverythingApplication({
        store: yieldingStore(trackAvailability(store, availability)),
        cipherKey: this.cipherKey,
        snapshotPeriod: this.snapshotPeriod,
        bus: new EventBus<EventBatch>(),
        readOnly: settings.readOnly === true || this.readOnlyLocked,
      })
      // Told now, not at the first failed read or save: a wrong key makes the connection read-only.
      await app.keyCheck.evaluate()
      const follower = new LogFollower({
        recorder: app.store.events,
        intervalMs: this.options.pollIntervalMs ?? 400,
        onEntries: (entries) => this.emitChanges(entries),
        onError: (error) => this.followerFailed(error),
      })
      // Reading the end of the log also proves the store answers.
      await follower.start()
      next = {
        app,
        settings,
        follower,
        snapshots: app.snapshotStrategy ?? new SnapshotStrategy(app.store.snapshots, app.mapper),
        unverified: new Repository(app.eventStore, app.snapshotStrategy, app.bus, false),
        sessionId: randomUUID(),
        availability,
      }
    } catch (error) {
      if (app) await app.close().catch(() => undefined)
      else if (store) await store.close().catch(() => undefined)
      const failure = this.redact(
        connectFailure(describeTarget(settings, this.defaultSqlitePath), messageOf(error)),
      )
      // While a working connection stays, the failure is the caller's answer only: not a
      // lasting error of the connection, shown to every window from now on.
      if (!this.connection) {
        this.lastError = failure
        this.emit('connection', this.info())
      }
      throw new StoreUnavailable(failure)
    }
    const previous = this.connection
    this.connection = next
    this.followerError = undefined
    this.emit('connection', this.info())
    await this.retire(previous)
    return this.info()
  }

  async disconnect(): Promise<ConnectionInfo> {
    return this.serially(async () => {
      const previous = this.connection
      this.connection = undefined
      this.followerError = undefined
      this.lastError = undefined
      this.emit('connection', this.info())
      await this.retire(previous)
      return this.info()
    })
  }

  /** Closes the application and everything that uses it. */
  async close(): Promise<void> {
    await this.serially(async () => {
      const previous = this.connection
      this.connection = undefined
      await this.retire(previous)
    })
  }

  // ------------------------------------------------------------------ queries (queries.ts)

  async listAggregateTypes(): Promise<string[]> {
    return queries.listAggregateTypes()
  }

  async listAggregates(
    request: ParsedRequestOf<'listAggregates'>,
  ): Promise<ResponseOf<'listAggregates'>> {
    return queries.listAggregates(this.queryContext, request)
  }

  async getAggregate(
    request: ParsedRequestOf<'getAggregate'>,
  ): Promise<ResponseOf<'getAggregate'>> {
    return queries.getAggregate(this.queryContext, request)
  }

  async listEvents(request: ParsedRequestOf<'listEvents'>): Promise<ResponseOf<'listEvents'>> {
    return queries.listEvents(this.queryContext, request)
  }

  async getRawRecord(
    request: ParsedRequestOf<'getRawRecord'>,
  ): Promise<ResponseOf<'getRawRecord'>> {
    return queries.getRawRecord(this.queryContext, request)
  }

  async getEventDiff(request: ParsedRequestOf<'getEventDiff'>): Promise<DiffEntry[]> {
    return queries.getEventDiff(this.queryContext, request)
  }

  async diffVersions(
    request: ParsedRequestOf<'diffVersions'>,
  ): Promise<ResponseOf<'diffVersions'>> {
    return queries.diffVersions(this.queryContext, request)
  }

  async listSnapshots(
    request: ParsedRequestOf<'listSnapshots'>,
  ): Promise<ResponseOf<'listSnapshots'>> {
    return queries.listSnapshots(this.queryContext, request)
  }

  async compareSnapshot(
    request: ParsedRequestOf<'compareSnapshot'>,
  ): Promise<ResponseOf<'compareSnapshot'>> {
    return queries.compareSnapshot(this.queryContext, request)
  }

  async getActivity(request: ParsedRequestOf<'getActivity'>): Promise<ResponseOf<'getActivity'>> {
    return queries.getActivity(this.queryContext, request)
  }

  async exportHistory(
    request: ParsedRequestOf<'exportHistory'>,
  ): Promise<ResponseOf<'exportHistory'>> {
    return queries.exportHistory(this.queryContext, request)
  }

  // ------------------------------------------------------------------ handles (staged commands)

  async createHandle({ foo }: ParsedRequestOf<'createHandle'>): Promise<HandleDto> {
    const c = this.conn()
    return handleDto(this.addHandle(c.app.createExampleAggregate(foo), -1))
  }

  async openHandle({ id }: ParsedRequestOf<'openHandle'>): Promise<HandleDto> {
    const aggregate = await this.conn().app.repository.get(id)
    if (!(aggregate instanceof ExampleAggregateRoot)) {
      throw new ApiFailure({
        code: 'ValidationError',
        message: `handles support example aggregates only; ${id} is a ${aggregate.constructor.name}`,
      })
    }
    return handleDto(this.addHandle(aggregate, aggregate.version))
  }

  async getHandle({ handleId }: ParsedRequestOf<'getHandle'>): Promise<HandleDto> {
    return this.withHandle(handleId, async (handle) => handleDto(handle))
  }

  async applyCommand({ handleId, command }: ParsedRequestOf<'applyCommand'>): Promise<HandleDto> {
    return this.withHandle(handleId, async (handle) => {
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

  async saveHandle({ handleId }: ParsedRequestOf<'saveHandle'>): Promise<HandleDto> {
    const c = this.conn()
    return this.withHandle(handleId, async (handle) => {
      const { aggregate } = handle
      // Published without collecting first, so a batch that is refused stays pending on the
      // handle (the UI shows it, stale, next to the winner's events).
      const batch = [...aggregate.pendingEvents]
      if (batch.length === 0) return handleDto(handle)
      try {
        await c.app.bus.publish(batch)
      } catch (error) {
        if (error instanceof ConcurrencyError) throw await this.conflict(c, handle, batch, error)
        // Stored, then a later policy (snapshotting) failed: the batch is saved all the same.
        if (await this.isStored(c, batch)) this.markSaved(handle)
        throw error
      }
      this.markSaved(handle)
      return handleDto(handle)
    })
  }

  async refreshHandle({ handleId }: ParsedRequestOf<'refreshHandle'>): Promise<HandleDto> {
    const c = this.conn()
    return this.withHandle(handleId, async (handle) => {
      const fresh = await c.app.repository.get(handle.aggregate.id)
      if (!(fresh instanceof ExampleAggregateRoot)) throw new AggregateNotFound(handle.aggregate.id)
      handle.aggregate.dropPendingEvents()
      handle.aggregate = fresh
      handle.loadedVersion = fresh.version
      this.noteStored(fresh.id, fresh.version)
      return handleDto(handle)
    })
  }

  async closeHandle({ handleId }: ParsedRequestOf<'closeHandle'>): Promise<{ closed: boolean }> {
    return { closed: this.handles.delete(handleId) }
  }

  // ------------------------------------------------------------------ tasks

  async seedDemoData({
    aggregates,
    events,
    taskId,
  }: ParsedRequestOf<'seedDemoData'>): Promise<ResponseOf<'seedDemoData'>> {
    const c = this.conn()
    // One at a time: checked and claimed before any await, so two requests cannot both pass.
    if (this.seedingTask !== undefined) {
      throw new ApiFailure({
        code: 'ValidationError',
        message: `a seed is already running (task ${this.seedingTask}); wait for it to finish or cancel it`,
        details: { taskId: this.seedingTask },
      })
    }
    this.seedingTask = taskId
    return this.runTask(taskId, async (signal) => {
      const progress = this.progress(
        taskId,
        aggregates * events,
        `Seeding ${aggregates} aggregates × ${events} events`,
      )
      progress(0)
      return seedDemoData(c.app, {
        aggregates,
        events,
        signal,
        onProgress: (p) => progress(p.events),
      })
    }).finally(() => {
      this.seedingTask = undefined
    })
  }

  async verifyHistory(
    request: ParsedRequestOf<'verifyHistory'>,
  ): Promise<ResponseOf<'verifyHistory'>> {
    return queries.verifyHistory(this.queryContext, request)
  }

  async verifyStore(request: ParsedRequestOf<'verifyStore'>): Promise<ResponseOf<'verifyStore'>> {
    return queries.verifyStore(this.queryContext, request)
  }

  async cancelTask({ taskId }: ParsedRequestOf<'cancelTask'>): Promise<{ cancelled: boolean }> {
    const controller = this.tasks.get(taskId)
    if (!controller || controller.signal.aborted) return { cancelled: false }
    controller.abort()
    return { cancelled: true }
  }

  // ------------------------------------------------------------------ internals

  /** The connection this request started on (leased until the request ends). */
  private conn(): Connection {
    const held = this.leases.held()
    if (held) return held
    if (!this.connection) {
      throw new ApiFailure({
        code: 'NotConnected',
        message:
          this.configurationError ??
          (this.lastError
            ? `not connected: ${this.lastError}`
            : 'not connected to a store; connect first'),
      })
    }
    return this.leases.lease(this.connection)
  }

  private info(): ConnectionInfo {
    const c = this.connection
    const settings = c?.settings ?? this.lastSettings
    const error = this.configurationError ?? this.lastError ?? (c ? this.followerError : undefined)
    return {
      status: c ? 'connected' : 'disconnected',
      ...(settings ? { kind: settings.kind, settings: publicSettings(settings) } : {}),
      description: c
        ? describeStore(c.settings.kind, c.app.store.description)
        : settings
          ? `not connected (${describeTarget(settings, this.defaultSqlitePath)})`
          : 'not connected',
      encrypted: this.cipherKey !== undefined,
      encryptionNote: this.configurationError
        ? `Unknown until the settings are fixed: ${this.configurationError}`
        : describeEncryption(this.cipherKey, this.keySource),
      snapshotPeriod: this.snapshotPeriod,
      keySource: this.keySource,
      canRememberKey: this.canRememberKey(),
      ...(error === undefined ? {} : { error }),
      ...this.accessInfo(c?.app, settings),
      ...(c ? { sessionId: c.sessionId } : {}),
      ...(c ? { availability: c.availability.describe((m) => this.redact(m)) } : {}),
    }
  }

  private accessInfo(
    app: EverythingApplication | undefined,
    settings: ConnectionSettings | undefined,
  ): Pick<
    ConnectionInfo,
    'readOnly' | 'readOnlyReason' | 'requestedReadOnly' | 'keyStatus' | 'label'
  > {
    const keyCheck = app?.keyCheck.current
    const keyStatus = keyCheck ? keyStatusOf(keyCheck) : undefined
    const label = settings ? connectionLabel(settings) : undefined
    const reason = app ? writeRefusal(app.readOnly, keyStatus, this.readOnlyLocked) : undefined
    return {
      readOnly: reason !== undefined,
      ...(reason === undefined ? {} : { readOnlyReason: reason }),
      requestedReadOnly: settings?.readOnly === true,
      ...(this.readOnlyLocked ? { readOnlyLocked: true } : {}),
      ...(keyStatus ? { keyStatus } : {}),
      ...(label ? { label } : {}),
    }
  }

  /**
   * Runs a writing method only on a writable connection: refused with ReadOnly when it was opened
   * read-only or the key does not match the store's (the library refuses the insert as well).
   * A write that records the store's key check changes the key status: the UI hears of it.
   */
  private async guardWrite(
    method: MethodName,
    handler: (request: unknown) => Promise<unknown>,
    request: unknown,
  ): Promise<unknown> {
    // The connection the handler will use: the one this request holds, or the current one.
    const held = this.leases.held() ?? (this.connection && this.leases.lease(this.connection))
    const app = held?.app
    if (app) {
      const keyCheck = app.keyCheck.current
      const reason = writeRefusal(
        app.readOnly,
        keyCheck ? keyStatusOf(keyCheck) : undefined,
        this.readOnlyLocked,
      )
      if (reason !== undefined) {
        throw new ApiFailure({
          code: 'ReadOnly',
          message: `${method} was refused: ${reason}`,
          details: { method, reason: app.readOnly ? 'read-only' : keyCheck?.state },
        })
      }
    }
    const before = app?.keyCheck.current?.state
    try {
      return await handler(request)
    } finally {
      if (app && this.connection?.app === app && app.keyCheck.current?.state !== before)
        this.emit('connection', this.info())
    }
  }

  private canRememberKey(): boolean {
    try {
      return this.options.keyStore?.available() ?? false
    } catch {
      return false
    }
  }

  private storeSettings(settings: ConnectionSettings): StoreSettings {
    switch (settings.kind) {
      case 'memory':
        return { kind: 'memory' }
      case 'sqlite': {
        const path = settings.path ?? this.defaultSqlitePath
        if (!path)
          throw new StoreUnavailable('no SQLite file was named and this app has no default one')
        return { kind: 'sqlite', path }
      }
      case 'cassandra':
        return {
          kind: 'cassandra',
          contactPoints: settings.contactPoints,
          localDataCenter: settings.localDataCenter,
          keyspace: settings.keyspace,
          ...(settings.username === undefined ? {} : { username: settings.username }),
          ...(settings.password === undefined ? {} : { password: settings.password }),
          tls: settings.tls,
        }
    }
  }

  /**
   * Takes a replaced connection out of service: drops its handles, waits (bounded) for the
   * requests that hold it, aborts its tasks still running then, and closes it.
   */
  private async retire(c: Connection | undefined): Promise<void> {
    if (!c) return
    this.droppedHandles = new Set(this.handles.keys())
    this.handles.clear()
    // What Verify whole history proved was read through the old connection (and key).
    this.wholeHistoryVerified.clear()
    await c.follower.stop()
    await this.leases.drain(c, this.options.drainTimeoutMs ?? 5000)
    await c.app.close().catch(() => undefined)
  }

  private serially<T>(body: () => Promise<T>): Promise<T> {
    const run = this.connecting.then(body, body)
    this.connecting = run.catch(() => undefined)
    return run
  }

  /** Neither the password nor the key may reach the UI, whatever a driver puts in a message. */
  private redact(message: string, extraKey?: Uint8Array): string {
    let out = message
    const secrets: string[] = []
    for (const settings of [this.lastSettings, this.connection?.settings])
      if (settings?.kind === 'cassandra' && settings.password) secrets.push(settings.password)
    for (const key of [this.cipherKey, this.environmentKey, extraKey])
      if (key) secrets.push(Buffer.from(key).toString('base64'))
    for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('•••')
    return out
  }

  private emitChanges(entries: LogEntry[]): void {
    if (this.followerError !== undefined) {
      this.followerError = undefined
      this.emit('connection', this.info())
    }
    // Before the renderer hears of them, so a getHandle it sends in reply already sees them.
    if (this.handles.size > 0) {
      const newest = new Map<string, number>()
      for (const e of entries)
        newest.set(e.originatorId, Math.max(newest.get(e.originatorId) ?? -1, e.toVersion))
      for (const handle of this.handles.values()) {
        const version = newest.get(handle.aggregate.id)
        if (version !== undefined && version > handle.storedVersion) handle.storedVersion = version
      }
    }
    for (let i = 0; i < entries.length; i += CHANGES_CHUNK) {
      this.emit('changes', { entries: entries.slice(i, i + CHANGES_CHUNK).map(logEntryDto) })
    }
  }

  private followerFailed(error: unknown): void {
    const message = this.redact(`live updates paused: ${messageOf(error)}`)
    if (message === this.followerError) return
    this.followerError = message
    this.emit('connection', this.info())
  }

  /** Runs a cancellable call; a newer call with the same taskId supersedes an older one. */
  private async runTask<T>(
    taskId: string | undefined,
    body: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController()
    if (taskId !== undefined) {
      this.tasks.get(taskId)?.abort()
      this.tasks.set(taskId, controller)
    }
    const untrack = this.leases.trackTask(controller)
    try {
      return await body(controller.signal)
    } catch (error) {
      if (controller.signal.reason === CONNECTION_CLOSED)
        throw new ApiFailure({
          code: 'NotConnected',
          message:
            'the connection was closed (a reconnect) while this task ran; nothing more was done: run it again',
        })
      if (controller.signal.aborted)
        throw new ApiFailure({
          code: 'Cancelled',
          message: taskId === undefined ? 'the task was cancelled' : `task ${taskId} was cancelled`,
        })
      throw error
    } finally {
      untrack()
      if (taskId !== undefined && this.tasks.get(taskId) === controller) this.tasks.delete(taskId)
    }
  }

  /** A progress reporter for a task: the first and last report always, others at most every 100 ms. */
  private progress(taskId: string, total: number, label: string): (done: number) => void {
    let last = 0
    return (done) => {
      const now = Date.now()
      if (last !== 0 && done < total && now - last < 100) return
      last = now
      this.emit('progress', { taskId, done: Math.min(done, total), total, label })
    }
  }

  private addHandle(aggregate: ExampleAggregateRoot, loadedVersion: number): Handle {
    const handle: Handle = {
      id: `h-${randomUUID()}`,
      aggregate,
      loadedVersion,
      storedVersion: loadedVersion,
      queue: Promise.resolve(),
    }
    this.handles.set(handle.id, handle)
    // Least recently used first: Map keeps insertion order and withHandle re-inserts.
    while (this.handles.size > this.maxHandles) {
      const oldest = this.handles.keys().next().value
      if (oldest === undefined) break
      this.handles.delete(oldest)
    }
    return handle
  }

  private withHandle<T>(handleId: string, body: (handle: Handle) => Promise<T>): Promise<T> {
    const handle = this.handles.get(handleId)
    if (!handle && this.droppedHandles.has(handleId)) {
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
    this.handles.delete(handleId)
    this.handles.set(handleId, handle)
    const run = handle.queue.then(() => body(handle))
    handle.queue = run.catch(() => undefined)
    return run
  }

  private markSaved(handle: Handle): void {
    handle.aggregate.dropPendingEvents()
    handle.loadedVersion = handle.aggregate.version
    this.noteStored(handle.aggregate.id, handle.loadedVersion)
  }

  /** The store holds `version` of `aggregateId`: the handles loaded before it are stale. */
  private noteStored(aggregateId: string, version: number): void {
    for (const handle of this.handles.values()) {
      if (handle.aggregate.id === aggregateId && handle.storedVersion < version)
        handle.storedVersion = version
    }
  }

  private async isStored(c: Connection, batch: readonly DomainEvent[]): Promise<boolean> {
    const last = batch[batch.length - 1]
    if (!last) return false
    try {
      const [record] = await c.app.store.events.select(last.originatorId, {
        gte: last.originatorVersion,
        lte: last.originatorVersion,
      })
      return record !== undefined && c.app.mapper.recordToEvent(record).hash === last.hash
    } catch {
      return false
    }
  }

  private async conflict(
    c: Connection,
    handle: Handle,
    batch: readonly DomainEvent[],
    error: ConcurrencyError,
  ): Promise<ApiFailure> {
    const id = handle.aggregate.id
    const expectedVersion = batch[0]!.originatorVersion
    const [latest] = await c.app.store.events.select(id, { desc: true, limit: 1 })
    const actualVersion =
      latest?.originatorVersion ?? error.details.actualVersion ?? expectedVersion
    const winningEvents: EventDto[] = []
    for await (const page of verifiedPages(c.app.eventStore, id, {
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
    this.noteStored(id, Math.max(actualVersion, expectedVersion))
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
}

function handleDto(handle: Handle): HandleDto {
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

function publicSettings(settings: ConnectionSettings): NonNullable<ConnectionInfo['settings']> {
  const options = {
    ...(settings.readOnly === undefined ? {} : { readOnly: settings.readOnly }),
    ...(settings.label === undefined ? {} : { label: settings.label }),
    ...(settings.labelColour === undefined ? {} : { labelColour: settings.labelColour }),
  }
  switch (settings.kind) {
    case 'memory':
      return { kind: 'memory', ...options }
    case 'sqlite':
      return settings.path === undefined
        ? { kind: 'sqlite', ...options }
        : { kind: 'sqlite', path: settings.path, ...options }
    case 'cassandra':
      return {
        ...options,
        kind: 'cassandra',
        contactPoints: [...settings.contactPoints],
        localDataCenter: settings.localDataCenter,
        keyspace: settings.keyspace,
        ...(settings.username === undefined ? {} : { username: settings.username }),
        tls: settings.tls,
      }
  }
}

function describeStore(kind: ConnectionSettings['kind'], description: string): string {
  const label = kind === 'sqlite' ? 'SQLite' : kind === 'cassandra' ? 'Cassandra' : 'Memory'
  return description.toLowerCase().startsWith(label.toLowerCase())
    ? description
    : `${label}: ${description}`
}

function describeTarget(
  settings: ConnectionSettings,
  defaultSqlitePath: string | undefined,
): string {
  switch (settings.kind) {
    case 'memory':
      return 'the in-memory store'
    case 'sqlite':
      return `the SQLite file ${settings.path ?? defaultSqlitePath ?? '(none)'}`
    case 'cassandra':
      return `Cassandra at ${settings.contactPoints.join(', ')} (data centre ${settings.localDataCenter}, keyspace ${settings.keyspace})`
  }
}

/** One sentence: the target named once, the driver's reason without a stack trace. */
function connectFailure(target: string, reason: string): string {
  const firstLines = reason
    // A stack trace and Node's inspected socket error ({ errno, code, … }) say nothing more.
    .replace(/\n\s+at [^\n]*?(?: \{\n[\s\S]*?\n\}|(?=\n)|$)/g, '')
    .replace(/\s*See innerErrors\.?/, '')
    .replace(/\s+/g, ' ')
    .trim()
  // The store's own message may already say "cannot connect to …" (its target): not twice.
  if (/^cannot connect to /i.test(firstLines))
    return firstLines.charAt(0).toUpperCase() + firstLines.slice(1)
  return `Cannot connect to ${target}: ${firstLines}`
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
