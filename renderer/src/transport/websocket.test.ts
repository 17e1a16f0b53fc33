import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createWebSocketTransport,
  webSocketTarget,
  type SocketLike,
  type TransportStatus,
} from './websocket'
import { MAX_REQUEST_BYTES } from '../../../shared/contractBasics'

class FakeSocket implements SocketLike {
  readyState = 0
  onopen: ((event: unknown) => void) | null = null
  onclose: ((event: unknown) => void) | null = null
  onerror: ((event: unknown) => void) | null = null
  onmessage: ((event: { data: unknown }) => void) | null = null
  readonly sent: Record<string, unknown>[] = []
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}
  send(data: string) {
    if (this.readyState !== 1) throw new Error('not open')
    this.sent.push(JSON.parse(data) as Record<string, unknown>)
  }
  close() {
    this.drop()
  }
  open() {
    this.readyState = 1
    this.onopen?.({})
  }
  drop() {
    this.readyState = 3
    this.onclose?.({})
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) })
  }
}

describe('createWebSocketTransport', () => {
  let sockets: FakeSocket[]
  let statuses: TransportStatus[]
  const latest = () => sockets[sockets.length - 1]!

  const make = (
    options: {
      token?: string
      timeoutMs?: number
      probe?: () => Promise<number | undefined>
    } = {},
  ) => {
    const transport = createWebSocketTransport({
      url: 'ws://127.0.0.1:4317/ws',
      ...options,
      createSocket: (url, protocols) => {
        const socket = new FakeSocket(url, protocols)
        sockets.push(socket)
        return socket
      },
    })
    transport.onStatus((s) => statuses.push(s))
    return transport
  }

  beforeEach(() => {
    vi.useFakeTimers()
    sockets = []
    statuses = []
  })
  afterEach(() => vi.useRealTimers())

  it('queues a request until the socket opens, then matches the answer by id', async () => {
    const transport = make()
    const answer = transport.invoke('getConnection', {})
    expect(statuses).toEqual(['connecting'])
    expect(latest().protocols).toEqual(['eventscope'])
    latest().open()
    expect(latest().sent).toEqual([{ id: 1, method: 'getConnection', payload: {} }])
    latest().receive({ id: 99, envelope: { ok: true, value: 'not ours' } })
    latest().receive({ id: 1, envelope: { ok: true, value: 'ours' } })
    await expect(answer).resolves.toEqual({ ok: true, value: 'ours' })
    expect(transport.status).toBe('open')
  })

  it('refuses a request over the size limit at once, without sending it; one at the limit goes', async () => {
    const transport = make()
    // 'é' is two bytes in UTF-8: under the limit in characters, over it in bytes.
    const tooLarge = transport.invoke('preview', { text: 'é'.repeat(MAX_REQUEST_BYTES / 2) })
    await expect(tooLarge).resolves.toEqual({
      ok: false,
      error: {
        code: 'ValidationError',
        message: expect.stringMatching(
          /^the request is too large \(\d+ bytes; the limit is 1048576\)/,
        ),
      },
    })
    expect(sockets).toHaveLength(0)
    void transport.invoke('preview', { text: 'x'.repeat(MAX_REQUEST_BYTES - 100) })
    latest().open()
    expect(latest().sent).toHaveLength(1)
  })

  it("says refused when the server refuses the page (its token is an earlier run's), and keeps trying", async () => {
    let answer = 403
    const transport = make({ probe: async () => answer })
    void transport.invoke('getConnection', {})
    latest().drop()
    await vi.advanceTimersByTimeAsync(0)
    expect(transport.status).toBe('refused')
    // The next try does not hide it; one that opens (another tab renewed the cookie) ends it.
    await vi.advanceTimersByTimeAsync(60_000)
    expect(sockets.length).toBeGreaterThan(1)
    expect(transport.status).toBe('refused')
    latest().open()
    expect(transport.status).toBe('open')
    // A server that is merely away (no answer, or the page served) is not a refusal.
    answer = 200
    latest().drop()
    await vi.advanceTimersByTimeAsync(0)
    expect(transport.status).not.toBe('refused')
  })

  it('offers the token as a subprotocol next to eventscope when the page has one', () => {
    make({ token: 'abc_DEF-123' }).invoke('getConnection', {})
    expect(latest().protocols).toEqual(['eventscope', 'eventscope.token.abc_DEF-123'])
  })

  it('answers InternalError when the server is silent past the timeout', async () => {
    const transport = make({ timeoutMs: 1000 })
    const answer = transport.invoke('listAggregateTypes', {})
    latest().open()
    vi.advanceTimersByTime(1001)
    await expect(answer).resolves.toEqual({
      ok: false,
      error: {
        code: 'InternalError',
        message: expect.stringMatching(/no answer .* listAggregateTypes within 1 s/),
      },
    })
  })

  it('fails requests lost with the connection, keeps unsent ones, and reconnects with backoff', async () => {
    const transport = make()
    const lost = transport.invoke('getAggregate', { id: '00000000-0000-4000-8000-000000000001' })
    latest().open()
    latest().drop()
    await expect(lost).resolves.toMatchObject({
      ok: false,
      error: { code: 'InternalError', message: expect.stringMatching(/lost/) },
    })
    expect(statuses).toEqual(['connecting', 'open', 'closed'])

    vi.advanceTimersByTime(300) // first backoff: at most 250 ms
    expect(sockets).toHaveLength(2)
    latest().drop() // the server is still down
    vi.advanceTimersByTime(250)
    expect(sockets).toHaveLength(2) // the second backoff is longer: 250-500 ms
    vi.advanceTimersByTime(250)
    expect(sockets).toHaveLength(3)
    latest().drop()
    // A request while waiting to reconnect tries at once rather than at the end of the backoff.
    const queued = transport.invoke('getConnection', {})
    expect(sockets).toHaveLength(4)
    latest().open()
    expect(latest().sent).toEqual([{ id: 2, method: 'getConnection', payload: {} }])
    latest().receive({ id: 2, envelope: { ok: true, value: 1 } })
    await expect(queued).resolves.toEqual({ ok: true, value: 1 })
    expect(statuses.at(-1)).toBe('open')
  })

  it('delivers pushed events to their listeners until unsubscribed', () => {
    const transport = make()
    const seen: unknown[] = []
    const stop = transport.on('changes', (payload) => seen.push(payload))
    expect(sockets).toHaveLength(1) // subscribing alone connects
    latest().open()
    latest().receive({ event: 'changes', payload: { entries: [] } })
    latest().receive({ event: 'progress', payload: { ignored: true } })
    latest().onmessage?.({ data: '{not json' })
    stop()
    latest().receive({ event: 'changes', payload: { entries: [1] } })
    expect(seen).toEqual([{ entries: [] }])
  })

  it('close() fails what is pending and stops reconnecting', async () => {
    const transport = make()
    const pending = transport.invoke('getConnection', {})
    transport.close()
    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'InternalError' } })
    vi.advanceTimersByTime(60_000)
    expect(sockets).toHaveLength(1)
    expect(transport.status).toBe('closed')
  })
})

describe('webSocketTarget', () => {
  it('derives ws(s)://host/ws and the token from the page location', () => {
    expect(
      webSocketTarget({ protocol: 'http:', host: '127.0.0.1:4317', search: '?token=abc' }),
    ).toEqual({
      url: 'ws://127.0.0.1:4317/ws',
      token: 'abc',
    })
    expect(webSocketTarget({ protocol: 'https:', host: 'x.test', search: '' })).toEqual({
      url: 'wss://x.test/ws',
      token: undefined,
    })
  })
})
