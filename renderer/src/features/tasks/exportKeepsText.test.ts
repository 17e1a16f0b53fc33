import { expect, it } from 'vitest'
import { createFakeApi, eventDto, uuid } from '../../testing/fakeApi'
import { exportHistory } from './exportHistory'

// The screen shows U+202E as a marker (ui/VisibleText.tsx); the exported file must not.
it('the export file keeps stored text exactly, invisible characters included', async () => {
  const api = createFakeApi()
  const id = uuid(1)
  const stored = '\u202Elive \u200B\u{E0068}'
  api.exportHistory.mockResolvedValue({
    aggregateId: id,
    type: 'test#Widget',
    exportedAt: '2026-02-03T04:05:06.000Z',
    latestVersion: 0,
    events: [eventDto(id, 0, { payload: { label: stored } })],
  })

  const { blob } = await exportHistory(api, id, {})
  const file = JSON.parse(await blob.text()) as { events: Array<{ payload: { label: string } }> }

  expect(file.events[0]!.payload.label).toBe(stored)
  expect(await blob.text()).not.toContain('U+202E')
})
