// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { ResponseOf } from '../../../../shared/contract'
import { createFakeApi } from '../../testing/fakeApi'
import { renderWithQueries } from '../../testing/render'
import { ActivityPanel } from './ActivityPanel'

afterEach(cleanup)

const BUCKETS = [{ start: '2026-11-28T10:00:00.000Z', events: 10_000 }]

async function totalLine(activity: ResponseOf<'getActivity'>): Promise<string> {
  const api = createFakeApi()
  api.getActivity.mockResolvedValue(activity)
  renderWithQueries(<ActivityPanel aggregateId="3f0c2a4e-3c1b-4b8e-9c59-0c1c7d1b2a10" />, { api })
  const heading = await screen.findByRole('img')
  const line = heading.closest('section')!.querySelector('p')!
  await waitFor(() => expect(line.textContent).toMatch(/\d/))
  return `${line.textContent} | ${heading.getAttribute('aria-label')}`
}

describe('ActivityPanel: what its count says', () => {
  it('all the events, when they are all charted', async () => {
    expect(await totalLine({ buckets: BUCKETS, total: 10_000, sampled: false })).toMatch(
      /^10,000 events \| .*10,000 events from .*had 10,000\.$/,
    )
  })

  it('the newest charted of how many, when the count is known; never an estimate', async () => {
    const line = await totalLine({
      buckets: BUCKETS,
      total: 10_000,
      sampled: true,
      allEvents: 100_002,
    })
    expect(line).toMatch(
      /^100,002 events · the newest 10,000 charted \| .*Only the newest 10,000 events of 100,002 are charted\.$/,
    )
    expect(line).not.toMatch(/estimate/)
  })

  it('only the newest charted, when the whole count is not known', async () => {
    expect(await totalLine({ buckets: BUCKETS, total: 10_000, sampled: true })).toMatch(
      /^the newest 10,000 events charted \| .*Only the newest 10,000 events are charted\.$/,
    )
  })
})
