/**
 * A fake ExplorerApi for store tests: every method is a vi.fn (reject "not stubbed" unless a
 * test gives it an implementation), and `emit` pushes an event to what `subscribe` registered.
 * Every answer a stub gives is checked against its method's response schema, and every emitted
 * event against its schema, as the real client checks the server's (shared/validation.ts): a fake
 * that drifts from what the server can send fails its test.
 */
import { afterEach, vi, type Mock } from 'vitest'
import {
  events,
  methodNames,
  methods,
  type AggregateSummary,
  type AggregateTypeDescriptor,
  type AggregateView,
  type CommandResult,
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

/** Thrown for an answer or an event the contract does not allow. */
export class FakeDrift extends Error {
  override name = 'FakeDrift'
}

// The app under test may catch a rejected answer and show it, so a drift also fails the test
// after it ends, whatever the app did with the error.
const drifts: FakeDrift[] = []
afterEach(() => {
  const seen = drifts.splice(0)
  if (seen.length) throw seen[0]
})

/** The drifts recorded so far, cleared: for a test that expects one (fakeApi.test.ts). */
export function takeFakeDrifts(): FakeDrift[] {
  return drifts.splice(0)
}

/** The answer as the real client would hand it on: parsed by the method's response schema. */
export function checkedAnswer<M extends MethodName>(name: M, answer: unknown): ResponseOf<M> {
  const parsed = methods[name].response.safeParse(answer)
  if (parsed.success) return parsed.data as ResponseOf<M>
  const drift = new FakeDrift(
    `the fake answered ${name} with what the server never could: ${parsed.error.message}`,
  )
  drifts.push(drift)
  throw drift
}

// What a test calls to stub a method: passed on to the stub behind the checked method.
const stubbing = [
  'mockImplementation',
  'mockImplementationOnce',
  'mockResolvedValue',
  'mockResolvedValueOnce',
  'mockRejectedValue',
  'mockRejectedValueOnce',
  'mockReturnValue',
  'mockReturnValueOnce',
  'withImplementation',
  'mockReset',
] as const

/**
 * `api[name]`: the vi.fn the app calls (its calls are the ones tests inspect), answering what
 * the stub behind it answers, checked; stubbing it stubs that one.
 */
function checkedMethod(name: MethodName): Mock {
  const stub = vi.fn(async (_request: unknown): Promise<unknown> => {
    throw new Error(`${name} is not stubbed in this test`)
  })
  const method = vi.fn(async (request: unknown) => checkedAnswer(name, await stub(request)))
  for (const key of stubbing) {
    const passOn = (stub[key] as (...args: unknown[]) => unknown).bind(stub)
    Object.defineProperty(method, key, {
      value: (...args: unknown[]) => {
        const result = passOn(...args)
        if (key === 'mockReset') method.mockClear()
        // withImplementation returns its callback's result; the others chain on the method.
        return key === 'withImplementation' ? result : method
      },
    })
  }
  return method
}

export function createFakeApi(): FakeApi {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
  const api: Record<string, unknown> = {}
  for (const name of methodNames) api[name] = checkedMethod(name)
  api['subscribe'] = (event: EventName, listener: (payload: unknown) => void) => {
    const set = listeners.get(event) ?? new Set()
    listeners.set(event, set)
    set.add(listener)
    return () => void set.delete(listener)
  }
  api['emit'] = (event: EventName, payload: unknown) => {
    const parsed = events[event].safeParse(payload)
    if (!parsed.success)
      throw new FakeDrift(
        `the fake emitted a '${event}' event the server never could: ${parsed.error.message}`,
      )
    for (const listener of [...(listeners.get(event) ?? [])]) listener(parsed.data)
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
    type: 'test#Widget',
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
    topic: `test#Widget.${version === 0 ? 'Created' : 'AttributeChanged'}`,
    type: version === 0 ? 'Created' : 'AttributeChanged',
    role: version === 0 ? 'created' : 'changed',
    timestamp: '2026-01-01T00:00:00.000Z',
    payload: { label: `bar${version + 1}` },
    payloadShortened: [],
    hash: `h${version}`,
    previousHash: version === 0 ? '' : `h${version - 1}`,
    ...overrides,
  }
}

export function aggregateView(id: string, version: number, latestVersion = version): AggregateView {
  return {
    id,
    type: 'test#Widget',
    version,
    latestVersion,
    createdOn: '2026-01-01T00:00:00.000Z',
    lastModified: '2026-01-01T00:00:00.000Z',
    discarded: false,
    definitionLoaded: true,
    state: { label: `bar${version + 1}` },
    stateOmitted: [],
    stateShortened: [],
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

/**
 * A registered type for tests, with one field of each kind: `test#Widget`, created with a name,
 * its commands `rename` (text), `adjust` (integer ≥ 1, an enum direction, a boolean flag).
 */
export function widgetType(
  overrides: Partial<AggregateTypeDescriptor> = {},
): AggregateTypeDescriptor {
  return {
    topic: 'test#Widget',
    displayName: 'Widget',
    description: 'A test aggregate.',
    source: 'built-in',
    canSeed: true,
    create: {
      name: 'create',
      label: 'Create widget',
      parameters: {
        type: 'object',
        properties: { name: { type: 'string', title: 'Name', minLength: 1, maxLength: 40 } },
        required: ['name'],
      },
    },
    commands: [
      {
        name: 'rename',
        label: 'Rename',
        parameters: {
          type: 'object',
          properties: { name: { type: 'string', title: 'New name', maxLength: 40 } },
          required: ['name'],
        },
      },
      {
        name: 'adjust',
        label: 'Adjust',
        description: 'Moves the level up or down.',
        parameters: {
          type: 'object',
          properties: {
            amount: { type: 'integer', title: 'Amount', minimum: 1, maximum: 100 },
            direction: { type: 'string', title: 'Direction', enum: ['up', 'down'] },
            loud: { type: 'boolean', title: 'Loud', default: false },
          },
          required: ['amount', 'direction'],
        },
      },
    ],
    ...overrides,
  }
}

/** What preview or execute answers for `events` on top of `expectedVersion`. */
export function commandResult(
  id: string,
  expectedVersion: number,
  events: EventDto[],
  state: AggregateView['state'] = { label: `bar${expectedVersion + events.length + 1}` },
): CommandResult {
  return {
    id,
    type: 'test#Widget',
    expectedVersion,
    version: expectedVersion + events.length,
    events,
    state,
    discarded: false,
  }
}

/**
 * listAggregates over `rows` as the server pages them: `order` recent is the rows' order, `id`
 * ascending ids; tokens are keysets carrying their direction (next: after the page's last row;
 * prev: before its first), `from: 'end'` reads the last `limit` rows, still in list order.
 * `counted: false` leaves the total out of the pages, as a store does that counts apart
 * (Python's): countAggregates answers it.
 */
export function pagedAggregates(
  rows: readonly AggregateSummary[],
  { counted = true }: { counted?: boolean } = {},
): (request: RequestOf<'listAggregates'>) => Promise<ResponseOf<'listAggregates'>> {
  return async (request) => {
    const prefix = request.idPrefix?.toLowerCase() ?? ''
    const list = rows.filter(
      (r) => r.id.startsWith(prefix) && (request.type === undefined || r.type === request.type),
    )
    if (request.order === 'id') list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const limit = request.limit ?? 100
    const token = request.pageToken
      ? (JSON.parse(request.pageToken) as { k: string; b?: true })
      : undefined
    const backward = token ? token.b === true : request.from === 'end'
    // Rows keep their place by key: the token's row is found again, not counted.
    const at = token ? list.findIndex((r) => r.id === token.k) : -1
    if (token && at < 0) throw new Error('the page token is not valid here')
    let from = token && !backward ? at + 1 : 0
    let to = token && backward ? at : list.length
    if (backward) from = Math.max(from, to - limit)
    else to = Math.min(to, from + limit)
    const items = list.slice(from, to)
    return {
      items,
      ...(to < list.length && items.length
        ? { nextPageToken: JSON.stringify({ k: items.at(-1)!.id }) }
        : {}),
      ...(from > 0 && items.length
        ? { prevPageToken: JSON.stringify({ k: items[0]!.id, b: true }) }
        : {}),
      ...(counted ? { total: rows.length } : {}),
    }
  }
}
