/**
 * The main-process service behind the contract: queries over one EverythingApplication,
 * stateless commands on registered aggregate types, live updates from the application log, demo
 * data. It knows nothing of transports: requests arrive parsed (dispatch validates them),
 * values go back, failures are library errors or ApiFailure, live events go to `emit`.
 *
 * This class owns the state (the connection, keys, tasks) and the connection's lifecycle; the
 * work is in its neighbours: serviceQueries.ts (the read methods and who answers each),
 * queries.ts (the query handlers) and historyReads.ts (the reads they share), commands.ts
 * (execute, preview), tasks.ts (cancellable calls, progress), connection.ts (opening and
 * describing a connection), access.ts (the write guard), cipherKeys.ts (key changes),
 * serviceOptions.ts (options, startup settings), dto.ts, activity.ts, yieldingStore.ts.
 */
import { join } from 'node:path'
import { isWriteMethod, methodNames } from '../../shared/contract'
import type {
  ConnectionInfo,
  ConnectionSettings,
  ExplorerHandlers,
  MethodName,
  ParsedRequestOf,
  ResponseOf,
} from '../../shared/contract'
import { ConfigurationError, type LogEntry, StoreUnavailable } from '../eventsourcing'
import { ConnectionLeases } from './connectionLeases'
import { ApiFailure } from './dispatch'
import { logEntryDto } from './dto'
import { redactSecrets } from './redact'
import { progressReporter, runTask } from './tasks'
import { startupSettings, type Emit, type ExplorerServiceOptions } from './serviceOptions'
import {
  connectFailure,
  describeConnection,
  describeTarget,
  messageOf,
  openConnection,
  type Connection,
} from './connection'
import type { QueryContext } from './queries'
import type { PythonSession } from './python/session'
import { ServiceQueries } from './serviceQueries'
import * as commands from './commands'
import './builtInTypes'
import { AggregateModules, parseModuleList } from './modules'
import { SeedTasks } from './seedTask'
import { CheckpointsByConnection } from './checkpoints'
import { accessInfo, writeRefused } from './access'
import { canRememberKey, decodeEnteredKey, restoreSavedKey, type KeyState } from './cipherKeys'
import { createSqlitePathPolicy, type SqlitePathPolicy } from './sqlitePathPolicy'
import { SQLITE_FILE_NAME, describeEncryption, type KeySource } from './settings'

// Moved out, importable from here as before.
export { bucketize } from './activity'
export { displayState, eventDto } from './dto'
export type { CipherKeyStore, Emit, ExplorerServiceOptions } from './serviceOptions'

const CHANGES_CHUNK = 1000

export class ExplorerService extends ServiceQueries implements ExplorerHandlers {
  private readonly emit: Emit
  private cipherKey: Uint8Array | undefined
  private keySource: KeySource
  /** The environment's key (or the `cipherKey` option): what forgetCipherKey falls back to. */
  private readonly environmentKey: Uint8Array | undefined
  private readonly snapshotPeriod: number
  private readonly defaultSqlitePath: string | undefined
  private readonly sqlitePathPolicy: SqlitePathPolicy
  private readonly scanBudget: number
  /** What the query handlers (queries.ts) use of this service. */
  protected readonly queryContext: QueryContext
  private connection: Connection | undefined
  /** The last settings tried and why they failed, for the connection screen. */
  private lastSettings: ConnectionSettings | undefined
  private lastError: string | undefined
  private followerError: string | undefined
  private readonly tasks = new Map<string, AbortController>()
  /** The last Verify whole history without a problem, per aggregate (this connection only). */
  private readonly wholeHistoryVerified = new Map<
    string,
    { verifiedAt: string; toVersion: number }
  >()
  private connecting: Promise<unknown> = Promise.resolve()
  /** EVENTSCOPE_READ_ONLY: every connection of this run is read-only. */
  private readonly readOnlyLocked: boolean
  private readonly seeds: SeedTasks
  /** Modules of aggregate types (modules.ts); requests wait until those named at start loaded. */
  readonly modules = new AggregateModules()
  private readonly modulesReady: Promise<void>
  /** Requests hold the connection they started on until they end; a reconnect waits for them. */
  private readonly leases = new ConnectionLeases<Connection>()

  /** A malformed EVENTSCOPE_CIPHER_KEY: nothing connects until it is fixed or a key is entered. */
  private keyError: string | undefined
  /** A malformed EVENTSCOPE_SNAPSHOT_PERIOD: nothing connects until it is fixed. */
  private readonly periodError: string | undefined
  /** A malformed EVENTSCOPE_CHECKPOINT_MB: nothing connects until it is fixed. */
  private readonly checkpointError: string | undefined

  /** Settings that cannot work: nothing connects until they are fixed. */
  private get configurationError(): string | undefined {
    return this.keyError ?? this.periodError ?? this.checkpointError
  }

  constructor(private readonly options: ExplorerServiceOptions) {
    super()
    this.emit = options.emit
    const startup = startupSettings(options)
    this.readOnlyLocked = startup.readOnlyLocked
    this.keyError = startup.keyError
    this.periodError = startup.periodError
    this.checkpointError = startup.checkpointError
    const checkpoints = new CheckpointsByConnection(startup.checkpointMemoryBytes, options)
    this.environmentKey = startup.environmentKey
    this.cipherKey = startup.cipherKey
    this.keySource = startup.keySource
    this.snapshotPeriod = startup.snapshotPeriod
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
      self[name] = async (request) => {
        await this.modulesReady
        return this.leases.run(() => guarded(request))
      }
    }
    this.modulesReady = this.modules.loadAll(parseModuleList(options.env?.['EVENTSCOPE_MODULES']))
    this.scanBudget = options.scanBudget ?? 5000
    this.queryContext = {
      conn: () => this.conn(),
      runTask: (taskId, body) => runTask(this.tasks, this.leases, taskId, body),
      progress: (taskId, total, label) => progressReporter(this.emit, taskId, total, label),
      scanBudget: this.scanBudget,
      wholeHistoryVerified: this.wholeHistoryVerified,
      checkpoints: (c) => checkpoints.of(c),
    }
    this.seeds = new SeedTasks(this.queryContext)
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
      (settings.kind === 'sqlite' || settings.kind === 'python-sqlite') &&
      settings.path !== undefined
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
    const key = decodeEnteredKey(keyBase64)
    if (remember && !canRememberKey(this.options.keyStore)) {
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
      if (savedChanged && this.options.keyStore)
        await restoreSavedKey(this.options.keyStore, before)
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
    let next: Connection
    try {
      next = await openConnection(settings, {
        cipherKey: this.cipherKey,
        snapshotPeriod: this.snapshotPeriod,
        readOnlyLocked: this.readOnlyLocked,
        defaultSqlitePath: this.defaultSqlitePath,
        pollIntervalMs: this.options.pollIntervalMs ?? 400,
        onAvailabilityChange: (c) => {
          if (this.connection !== c) return
          // Recovered: the follower's "live updates paused" is over too.
          if (c.availability.available) this.followerError = undefined
          this.emit('connection', this.info())
        },
        onEntries: (entries) => this.emitChanges(entries),
        onFollowerError: (error) => this.followerFailed(error),
      })
    } catch (error) {
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

  // ------------------------------------------------------------------ types, commands, tasks
  // (the read methods: serviceQueries.ts)

  async listAggregateTypes(): Promise<ResponseOf<'listAggregateTypes'>> {
    return this.modules.describeTypes()
  }

  /** Loads a module granted by EVENTSCOPE_MODULES or the desktop file dialog (modules.ts). */
  async loadAggregateModule({
    path,
  }: ParsedRequestOf<'loadAggregateModule'>): Promise<ResponseOf<'loadAggregateModule'>> {
    const loaded = await this.modules.loadGranted(path)
    this.emit('connection', this.info())
    return loaded
  }

  // ------------------------------------------------------------------ commands (commands.ts)

  async execute(request: ParsedRequestOf<'execute'>): Promise<ResponseOf<'execute'>> {
    return commands.execute(this.conn(), request)
  }

  async preview(request: ParsedRequestOf<'preview'>): Promise<ResponseOf<'preview'>> {
    return commands.preview(this.conn(), request)
  }

  // ------------------------------------------------------------------ tasks

  async seedDemoData(
    request: ParsedRequestOf<'seedDemoData'>,
  ): Promise<ResponseOf<'seedDemoData'>> {
    return this.seeds.seed(this.conn(), request)
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
      ...describeConnection(c, settings, this.defaultSqlitePath),
      // A Python store's events say whether it is encrypted; our own stores' key check does.
      encrypted: c?.python?.encrypted ?? this.cipherKey !== undefined,
      encryptionNote: this.configurationError
        ? `Unknown until the settings are fixed: ${this.configurationError}`
        : describeEncryption(this.cipherKey, this.keySource),
      snapshotPeriod: this.snapshotPeriod,
      keySource: this.keySource,
      canRememberKey: canRememberKey(this.options.keyStore),
      ...(error === undefined ? {} : { error }),
      ...accessInfo(c?.app, settings, this.readOnlyLocked, c?.python),
      ...(c ? { sessionId: c.sessionId } : {}),
      ...(c ? { availability: c.availability.describe((m) => this.redact(m)) } : {}),
      modules: this.modules.list(),
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
    const refused = app && writeRefused(method, app, this.readOnlyLocked)
    if (refused) throw refused
    const before = app?.keyCheck.current?.state
    try {
      return await handler(request)
    } finally {
      if (app && this.connection?.app === app && app.keyCheck.current?.state !== before)
        this.emit('connection', this.info())
    }
  }

  /**
   * Takes a replaced connection out of service: waits (bounded) for the
   * requests that hold it, aborts its tasks still running then, and closes it.
   */
  private async retire(c: Connection | undefined): Promise<void> {
    if (!c) return
    // What Verify whole history proved was read through the old connection (and key).
    this.wholeHistoryVerified.clear()
    await c.follower.stop()
    await this.leases.drain(c, this.options.drainTimeoutMs ?? 5000)
    await c.python?.close().catch(() => undefined)
    await c.app.close().catch(() => undefined)
  }

  private serially<T>(body: () => Promise<T>): Promise<T> {
    const run = this.connecting.then(body, body)
    this.connecting = run.catch(() => undefined)
    return run
  }

  /** Neither the password nor the key may reach the UI (redact.ts). */
  private redact(message: string, extraKey?: Uint8Array): string {
    return redactSecrets(
      message,
      [this.lastSettings, this.connection?.settings],
      [this.cipherKey, this.environmentKey, extraKey],
    )
  }

  private emitChanges(entries: LogEntry[]): void {
    if (this.followerError !== undefined) {
      this.followerError = undefined
      this.emit('connection', this.info())
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

  /** The Python store session of the request's connection, if it reads one. */
  protected pythonSession(): PythonSession | undefined {
    const python = (this.leases.held() ?? this.connection)?.python
    return python && (this.conn().python ?? python)
  }
}
