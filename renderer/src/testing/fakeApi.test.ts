/** The fake API answers only what the server could: a drifting stub is caught, a valid one passes. */
import { describe, expect, it } from 'vitest'
import type { EventOf, ResponseOf } from '../../../shared/contract'
import { createFakeApi, FakeDrift, summary, takeFakeDrifts } from './fakeApi'

describe('createFakeApi', () => {
  it('rejects an answer its method could never give, names the method, and fails the test', async () => {
    const api = createFakeApi()
    // A summary that lost a field the server always sends.
    const { discarded: _gone, ...drifted } = summary(1)
    api.listAggregates.mockResolvedValue({
      items: [drifted],
      total: 1,
    } as unknown as ResponseOf<'listAggregates'>)

    const answer = api.listAggregates({})

    await expect(answer).rejects.toThrow(FakeDrift)
    await expect(answer).rejects.toThrow(/answered listAggregates .*discarded/s)
    // Taken here, as this test expects it; left there, it would fail the test after it ends.
    expect(takeFakeDrifts().map((drift) => drift.message)).toEqual([
      expect.stringMatching(/listAggregates/),
    ])
  })

  it('hands on a valid answer as the client would, and records the call on the method', async () => {
    const api = createFakeApi()
    api.listAggregates.mockResolvedValueOnce({ items: [summary(1)], total: 1 })

    expect(await api.listAggregates({ limit: 5 })).toEqual({ items: [summary(1)], total: 1 })
    expect(api.listAggregates).toHaveBeenCalledWith({ limit: 5 })
    expect(takeFakeDrifts()).toEqual([])
  })

  it('checks the answers of implementations and one-off stubs, in order, and resets', async () => {
    const api = createFakeApi()
    const page = (n: number) => ({ items: [summary(n)], total: 2 })
    api.listAggregates.mockResolvedValueOnce(page(1)).mockResolvedValueOnce(page(2))
    expect(await api.listAggregates({})).toEqual(page(1))
    expect(await api.listAggregates({})).toEqual(page(2))

    api.listAggregates.mockImplementation(
      async () => ({ items: [], total: -1 }) as ResponseOf<'listAggregates'>,
    )
    await expect(api.listAggregates({})).rejects.toThrow(/answered listAggregates/)
    expect(takeFakeDrifts()).toHaveLength(1)

    api.listAggregates.mockReset()
    expect(api.listAggregates).not.toHaveBeenCalled()
    await expect(api.listAggregates({})).rejects.toThrow(/not stubbed/)
  })

  it('refuses to emit an event the server could never send', () => {
    const api = createFakeApi()
    const seen: unknown[] = []
    api.subscribe('changes', (payload) => seen.push(payload))

    expect(() => api.emit('changes', { entries: 'none' } as unknown as EventOf<'changes'>)).toThrow(
      /'changes' event/,
    )
    api.emit('changes', { entries: [] })

    expect(seen).toEqual([{ entries: [] }])
  })
})
