/**
 * Requests lease the connection they started on, so a reconnect (connect, setCipherKey,
 * forgetCipherKey, disconnect) never closes a store under a request in flight: new requests go
 * to the new connection, and the old one is closed once its leases are released, or after a
 * bounded wait. A request still running then (a long task) is aborted and fails with the
 * retryable NotConnected, never with the closed driver's internal error.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { ApiFailure, toApiError } from './dispatch'

/** The abort reason of a task whose connection was closed under it. */
export const CONNECTION_CLOSED = Symbol('connection closed')

interface LeaseState {
  inFlight: number
  closed: boolean
  /** Tasks running on the connection: aborted when the wait for them runs out. */
  readonly tasks: Set<AbortController>
  readonly idle: Set<() => void>
}

interface RequestScope<C> {
  connection: C | undefined
  /** Timers started by a request (the log follower's) keep its scope: it leases nothing after. */
  ended: boolean
}

export class ConnectionLeases<C extends object> {
  private readonly scope = new AsyncLocalStorage<RequestScope<C>>()
  private readonly states = new WeakMap<C, LeaseState>()

  /**
   * Runs one request. Whatever connection it leases is released when it settles; if that
   * connection was closed under it, a failure the closing caused becomes NotConnected.
   */
  async run<T>(body: () => Promise<T>): Promise<T> {
    const request: RequestScope<C> = { connection: undefined, ended: false }
    try {
      return await this.scope.run(request, body)
    } catch (error) {
      const held = request.connection
      if (held && this.state(held).closed && causedByClosing(error)) {
        throw new ApiFailure({
          code: 'NotConnected',
          message:
            'the connection this request started on was closed (a reconnect or disconnect) before it finished; run it again',
        })
      }
      throw error
    } finally {
      request.ended = true
      if (request.connection) this.release(request.connection)
    }
  }

  /** The connection this request already holds, if any. */
  held(): C | undefined {
    const request = this.scope.getStore()
    return request && !request.ended ? request.connection : undefined
  }

  /**
   * Leases `connection` for the current request (once; later calls return the one it holds).
   * Outside a request scope nothing is leased.
   */
  lease(connection: C): C {
    const request = this.scope.getStore()
    if (!request || request.ended) return connection
    if (request.connection) return request.connection
    request.connection = connection
    this.state(connection).inFlight += 1
    return connection
  }

  /** Registers a cancellable task on the connection the current request holds. */
  trackTask(controller: AbortController): () => void {
    const held = this.held()
    if (!held) return () => undefined
    const { tasks } = this.state(held)
    tasks.add(controller)
    return () => tasks.delete(controller)
  }

  /**
   * Waits until no request holds `connection`, at most `timeoutMs`; then aborts the tasks
   * still running on it and waits `graceMs` more for them to stop. From now on the connection
   * counts as closed for the requests that still hold it. True when every lease was released.
   */
  async drain(
    connection: C,
    timeoutMs: number,
    graceMs = Math.min(1000, timeoutMs),
  ): Promise<boolean> {
    const state = this.state(connection)
    if (await this.idle(state, timeoutMs)) {
      state.closed = true
      return true
    }
    // Closed from now on, so the failures the aborts cause are reported as NotConnected.
    state.closed = true
    for (const task of state.tasks) task.abort(CONNECTION_CLOSED)
    return this.idle(state, graceMs)
  }

  private idle(state: LeaseState, timeoutMs: number): Promise<boolean> {
    if (state.inFlight === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        state.idle.delete(done)
        resolve(true)
      }
      const timer = setTimeout(() => {
        state.idle.delete(done)
        resolve(false)
      }, timeoutMs)
      state.idle.add(done)
    })
  }

  private release(connection: C): void {
    const state = this.state(connection)
    state.inFlight -= 1
    if (state.inFlight === 0) for (const done of [...state.idle]) done()
  }

  private state(connection: C): LeaseState {
    let state = this.states.get(connection)
    if (!state) {
      state = { inFlight: 0, closed: false, tasks: new Set(), idle: new Set() }
      this.states.set(connection, state)
    }
    return state
  }
}

/** What a store closed under a request looks like: a driver error, an abort, "unavailable". */
function causedByClosing(error: unknown): boolean {
  const { code } = toApiError(error)
  return code === 'InternalError' || code === 'StoreUnavailable' || code === 'Cancelled'
}
