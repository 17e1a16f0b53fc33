/**
 * "Verified" means verified, in the UI: five aggregates are tampered with in the store behind the
 * app's back (e2e/tamperStore.ts, SQLite or Cassandra) and the screen must say what it checked,
 * explain each bad version in the timeline, and list every problem in Verify whole history and
 * Verify store. Roles and accessible names only.
 */
import type { Locator, Page } from '@playwright/test'
import { createAggregate, openTab, saveStaged, stageFoo } from './commandsUi'
import { expect, test } from './fixtures'
import { openTamperer } from './tamperStore'

const SHOTS = process.env['E2E_SHOTS_DIR']

/** v0 … v9 (the first by New aggregate, the rest in one batch); period 2 snapshots v1, v3 … v9. */
async function tenEvents(page: Page): Promise<string> {
  const id = await createAggregate(page, { foo: 'v0' })
  const panel = await openTab(page, 'Commands')
  await stageFoo(panel, ...Array.from({ length: 9 }, (_, i) => `v${i + 1}`))
  await expect(
    panel.getByRole('list', { name: 'Pending events' }).getByRole('listitem'),
  ).toHaveCount(9)
  await saveStaged(panel)
  return id
}

/** Reloads the page (nothing cached) and selects the aggregate in the list. */
async function reopen(page: Page, id: string): Promise<void> {
  await page.reload()
  const option = page
    .getByRole('listbox', { name: 'Aggregates' })
    .getByRole('option', { name: new RegExp(id) })
  await option.click()
  await expect(page.getByRole('region', { name: `Aggregate ${id}` })).toBeVisible()
}

function eventRow(page: Page, version: number): Locator {
  return page
    .getByRole('table', { name: 'Events' })
    .getByRole('row', { name: new RegExp(`^v${version}\\b`) })
}

async function shot(page: Page, name: string, target?: Locator): Promise<void> {
  if (!SHOTS) return
  await (target ?? page).screenshot({ path: `${SHOTS}/${name}.png` })
}

test('tampered stores: the badge says what was checked, the timeline explains, Verify lists every problem', async ({
  page,
}) => {
  test.setTimeout(180_000)
  const ids = {
    middle: await tenEvents(page),
    tail: await tenEvents(page),
    flipped: await tenEvents(page),
    swapped: await tenEvents(page),
    topic: await tenEvents(page),
  }
  const tamper = openTamperer()
  try {
    await tamper.deleteEvents(ids.middle, [3, 4])
    await tamper.deleteEvents(ids.tail, [8, 9])
    await tamper.deleteSnapshots(ids.tail, [9])
    const flipped = await tamper.readEvent(ids.flipped, 4)
    flipped.state[flipped.state.length - 1] = flipped.state[flipped.state.length - 1]! ^ 1
    await tamper.writeEvent(ids.flipped, 4, flipped.topic, flipped.state)
    const [five, six] = [
      await tamper.readEvent(ids.swapped, 5),
      await tamper.readEvent(ids.swapped, 6),
    ]
    await tamper.writeEvent(ids.swapped, 5, five.topic, six.state)
    await tamper.writeEvent(ids.swapped, 6, six.topic, five.state)
    const last = await tamper.readEvent(ids.topic, 9)
    await tamper.writeEvent(ids.topic, 10, 'evil#Intruder.Happened', last.state)
  } finally {
    await tamper.close()
  }

  // (a) The latest loads from the v9 snapshot: the badge says exactly that, nothing more.
  await reopen(page, ids.middle)
  const badge = page.getByRole('status', {
    name: 'Hash chain: snapshot v9 linked, no events after it',
  })
  await expect(badge).toBeVisible()
  await shot(page, 'verify-badge')
  // The timeline shows v0–v2, then the missing v3 and the unverifiable v4 explained.
  await openTab(page, 'Timeline')
  await expect(eventRow(page, 2)).toContainText('AttributeChanged')
  await expect(eventRow(page, 3)).toContainText(/fails verification: versions 3–4 .* missing/)
  await expect(eventRow(page, 4)).toContainText(
    'not shown: v3 before it fails verification, so this version cannot be verified',
  )
  // No row stays a loading placeholder.
  await expect(
    page.getByRole('table', { name: 'Events' }).getByRole('row', { name: /loading/ }),
  ).toHaveCount(0)
  await shot(page, 'verify-missing-row', page.getByRole('table', { name: 'Events' }))
  await shot(page, 'verify-missing-v3', eventRow(page, 3))
  // Verify whole history finds the gap.
  await page.getByRole('button', { name: 'Verify whole history' }).click()
  const problems = page.getByRole('table', { name: 'Problems in this history' })
  await expect(problems.getByRole('row', { name: /v3\s*missing/ })).toBeVisible()

  // (b) The tail deleted with its snapshot: the aggregate fails at v8, not a smaller aggregate.
  await reopen(page, ids.tail)
  await expect(page.getByRole('status', { name: 'Hash chain broken at v8' })).toBeVisible()

  // (c) A flipped byte the v9 snapshot skips: the timeline names v4.
  await reopen(page, ids.flipped)
  await expect(page.getByRole('status', { name: /^Hash chain: snapshot v9 linked/ })).toBeVisible()
  await openTab(page, 'Timeline')
  await expect(eventRow(page, 4)).toContainText('fails verification')

  // (d) Swapped states: the timeline names v5.
  await reopen(page, ids.swapped)
  await openTab(page, 'Timeline')
  await expect(eventRow(page, 5)).toContainText('fails verification')

  // (e) A row with an unknown topic: the type shown is still the aggregate's, the row is named.
  await reopen(page, ids.topic)
  // Not a broken link: a record that cannot be read (its topic names no class).
  await expect(page.getByRole('status', { name: 'Stored data unreadable at v10' })).toBeVisible()
  await openTab(page, 'Timeline')
  await expect(eventRow(page, 10)).toContainText('fails verification')
  // v9, before the foreign row, loads verified and with the aggregate's own type.
  await eventRow(page, 9).getByRole('cell').first().click()
  await expect(
    page.getByRole('status', { name: 'Hash chain: snapshot v9 linked, no events after it' }),
  ).toBeVisible()
  // The registered type is shown by its display name.
  const header = page.getByRole('region', { name: `Aggregate ${ids.topic}` })
  await expect(header.getByText('Example aggregate', { exact: true })).toBeVisible()
  await expect(header.getByText('Intruder', { exact: true })).toHaveCount(0)

  // Verify store lists each problem with its aggregate and version.
  await page.getByRole('button', { name: 'Verify store' }).click()
  const dialog = page.getByRole('dialog', { name: 'Verify store' })
  await expect(dialog).toBeVisible({ timeout: 60_000 })
  const found = dialog.getByRole('table', { name: 'Problems in the store' })
  const expected: Array<[string, RegExp]> = [
    [ids.middle, /v3\s*missing/],
    [ids.tail, /v8\s*missing/],
    [ids.flipped, /v4\s*unreadable/],
    [ids.swapped, /v5\s*unreadable/],
    [ids.topic, /v10\s*unreadable/],
    // The row was written around the log: the list and the live view never showed it.
    [ids.topic, /v10\s*not in the log/],
  ]
  for (const [id, text] of expected)
    await expect(
      found
        .getByRole('row')
        .filter({ has: page.getByRole('button', { name: `Open aggregate ${id}` }) })
        .filter({ hasText: text }),
    ).toHaveCount(1)
  await shot(page, 'verify-store', dialog)
  await dialog.getByRole('button', { name: 'Close' }).click()

  // An untouched aggregate verifies whole, and the badge then says so with the time.
  const clean = await tenEvents(page)
  await page.getByRole('button', { name: 'Verify whole history' }).click()
  await expect(
    page.getByRole('status', {
      name: /^Hash chain: whole history verified \d\d:\d\d .*\(v0–v9\)$/,
    }),
  ).toBeVisible()
  await expect(page.getByRole('region', { name: `Aggregate ${clean}` })).toBeVisible()
  await shot(page, 'verify-badge-whole')
})
