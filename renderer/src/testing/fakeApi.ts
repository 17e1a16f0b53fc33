/**
 * A fake ExplorerApi for store tests: every method is a vi.fn (reject "not stubbed" unless a
 * test gives it an implementation), and `emit` pushes an event to what `subscribe` registered.
 */
import { vi, type Mock } from 'vitest'
import {
  methodNames,
  type AggregateSummary,
  type AggregateView,
  type ConnectionInfo,
  type EventDto,
  type EventName,
  type EventOf,
  type ExplorerApi,
  type MethodName,
  type RequestOf,
  type ResponseOf,
} from '../../../shared/contract'

type Methods = { [M in MethodName]: Mock<(request: RequestOf<M>) => Promise<ResponseOf<M>>> }

export type FakeApi = ExplorerApi &
  Methods & {
    emit<E extends EventName>(event: E, payload: EventOf<E>): void
    listenerCount(event: EventName): number
  }

export function createFakeApi(): FakeApi {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
  const api: Record<string, unknown> = {}
  for (const name of methodNames) {
    api[name] = vi.fn(async () => {
      throw new Error(`${name} is not stubbed in this test`)
    })
  }
  api['subscribe'] = (event: EventName, listener: (payload: unknown) => void) => {
    const set = listeners.get(event) ?? new Set()
    listeners.set(event, set)
    set.add(listener)
    return () => void set.delete(listener)
  }
  api['emit'] = (event: EventName, payload: unknown) => {
    for (const listener of [...(listeners.get(event) ?? [])]) listener(payload)
  }
  api['listenerCount'] = (event: EventName) => listeners.get(event)?.size ?? 0
  return api as FakeApi
}

/** A promise the test settles by hand, to order answers. */
export function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Lets pending promise callbacks run. */
export const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

export const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`

export function summary(n: number, overrides: Partial<AggregateSummary> = {}): AggregateSummary {
  return {
    id: uuid(n),
    type: 'example#ExampleAggregateRoot',
    version: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    lastModified: '2026-01-01T00:00:00.000Z',
    discarded: false,
    ...overrides,
  }
}

export function eventDto(id: string, version: number, overrides: Partial<EventDto> = {}): EventDto {
  return {
    originatorId: id,
    version,
    topic: `example#ExampleAggregateRoot.${version === 0 ? 'Created' : 'AttributeChanged'}`,
    type: version === 0 ? 'Created' : 'AttributeChanged',
    role: version === 0 ? 'created' : 'changed',
    timestamp: '2026-01-01T00:00:00.000Z',
    payload: { foo: `bar${version + 1}` },
    hash: `h${version}`,
    previousHash: version === 0 ? '' : `h${version - 1}`,
    ...overrides,
  }
}

export function aggregateView(id: string, version: number, latestVersion = version): AggregateView {
  return {
    id,
    type: 'example#ExampleAggregateRoot',
    version,
    latestVersion,
    createdOn: '2026-01-01T00:00:00.000Z',
    lastModified: '2026-01-01T00:00:00.000Z',
    discarded: false,
    definitionLoaded: true,
    state: { foo: `bar${version + 1}` },
    hashChain: { status: 'verified' },
    encrypted: true,
    eventsReplayed: version + 1,
  }
}

export function connectionInfo(overrides: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return {
    status: 'connected',
    kind: 'sqlite',
    description: 'SQLite: /tmp/test.sqlite',
    settings: { kind: 'sqlite', path: '/tmp/test.sqlite' },
    encrypted: true,
    encryptionNote: 'AES-256-GCM',
    snapshotPeriod: 2,
    keySource: 'environment',
    canRememberKey: false,
    readOnly: false,
    requestedReadOnly: false,
    ...overrides,
  }
}
