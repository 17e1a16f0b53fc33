/**
 * The core screens end to end, through the UI only (roles and accessible names, never CSS):
 * create an aggregate, change it in batches, read its timeline and raw records, travel through
 * its versions, check the hash chain, discard it, and watch a second window's change arrive live.
 * Runs in browser mode and in the desktop app alike (e2e/fixtures.ts): `page` is the app's window.
 */
import type { Locator, Page } from '@playwright/test'
import {
  createAggregate as createWith,
  openTab,
  saveStaged,
  stageCommand,
  stageFoo,
} from './commandsUi'
import { expect, test } from './fixtures'

const createAggregate = (page: Page, foo: string) => createWith(page, { foo })

/** Stages each value with "Set foo", then saves them all as one batch. */
async function setFooAndSave(page: Page, ...values: string[]): Promise<void> {
  const panel = await openTab(page, 'Commands')
  await stageFoo(panel, ...values)
  await saveStaged(panel)
}

/** The State tree's item for foo (the state shows the field as foo or _foo). */
function fooItem(page: Page, value: string): Locator {
  return page
    .getByRole('tree', { name: 'State' })
    .getByRole('treeitem', { name: new RegExp(`^_?foo: "${value}"$`) })
}

function shownAs(page: Page, version: number, latest: number): Locator {
  return page
    .getByRole('group', { name: 'Time travel' })
    .getByRole('status')
    .filter({ hasText: `as of version ${version} of ${latest}` })
}

function eventRow(page: Page, version: number): Locator {
  return page
    .getByRole('table', { name: 'Events' })
    .getByRole('row', { name: new RegExp(`^v${version}\\b`) })
}

test('create, change, travel through history, inspect raw records, discard', async ({ page }) => {
  const id = await createAggregate(page, 'bar1')

  // v1 alone, then v2..v4 as one batch: the seed's walk-through.
  await setFooAndSave(page, 'bar2')
  await setFooAndSave(page, 'bar3', 'bar4', 'bar5')

  // The list shows it at its latest version.
  const option = page
    .getByRole('listbox', { name: 'Aggregates' })
    .getByRole('option', { name: new RegExp(id) })
  await expect(option).toBeVisible()
  await expect(option).toContainText('v4')

  // State at the latest version; the hash chain verifies.
  await openTab(page, 'State')
  await expect(fooItem(page, 'bar5')).toBeVisible()
  await expect(shownAs(page, 4, 4)).toBeVisible()
  // Loaded from the v3 snapshot: the badge says so, and which events it verified.
  await expect(
    page.getByRole('status', { name: 'Hash chain: snapshot v3 linked, events v4 verified' }),
  ).toBeVisible()

  // The timeline: one row per event, in order, with its type and decoded payload.
  await openTab(page, 'Timeline')
  const table = page.getByRole('table', { name: 'Events' })
  await expect(table.getByRole('row')).toHaveCount(6) // header + v0..v4
  await expect(eventRow(page, 0)).toContainText('Created')
  await expect(eventRow(page, 0)).toContainText('bar1')
  for (let v = 1; v <= 4; v++) {
    await expect(eventRow(page, v)).toContainText('AttributeChanged')
    await expect(eventRow(page, v)).toContainText(`bar${v + 1}`)
  }
  // Snapshots every 2 versions: at v1 and v3.
  await expect(eventRow(page, 1)).toContainText('snapshot')
  await expect(eventRow(page, 3)).toContainText('snapshot')
  await expect(eventRow(page, 4)).toHaveAttribute('aria-current', 'true')

  // Raw: the stored record is base64 ciphertext, not the plaintext.
  await eventRow(page, 1).getByRole('button', { name: 'Raw record of version 1' }).click()
  await expect(
    eventRow(page, 1).getByRole('button', { name: 'Raw record of version 1' }),
  ).toHaveAttribute('aria-pressed', 'true')
  const stored = page.getByRole('group', { name: 'Stored record, version 1' })
  await expect(stored).toContainText('encrypted')
  await expect(stored).not.toContainText('not encrypted')
  const storedText = (await stored.textContent()) ?? ''
  expect(storedText).toMatch(/[A-Za-z0-9+/]{24,}={0,2}/)
  expect(storedText).not.toContain('bar2')
  await expect(page.getByRole('group', { name: 'Decoded payload, version 1' })).toContainText(
    'bar2',
  )

  // Scrub with the slider: every version shows its own foo.
  const slider = page.getByRole('slider', { name: 'Version' })
  await openTab(page, 'State')
  for (let v = 0; v <= 4; v++) {
    await slider.fill(String(v))
    await expect(shownAs(page, v, 4)).toBeVisible()
    await expect(fooItem(page, `bar${v + 1}`)).toBeVisible()
  }

  // …and with the keyboard: Home, → step by step, End.
  await slider.focus()
  await page.keyboard.press('Home')
  await expect(shownAs(page, 0, 4)).toBeVisible()
  await expect(fooItem(page, 'bar1')).toBeVisible()
  for (let v = 1; v <= 4; v++) {
    await page.keyboard.press('ArrowRight')
    await expect(shownAs(page, v, 4)).toBeVisible()
    await expect(fooItem(page, `bar${v + 1}`)).toBeVisible()
  }
  await page.keyboard.press('ArrowLeft')
  await expect(fooItem(page, 'bar4')).toBeVisible()
  await page.keyboard.press('End')
  await expect(fooItem(page, 'bar5')).toBeVisible()

  // The timeline highlights the scrubbed version.
  await slider.fill('2')
  await openTab(page, 'Timeline')
  await expect(eventRow(page, 2)).toHaveAttribute('aria-current', 'true')
  await expect(eventRow(page, 4)).not.toHaveAttribute('aria-current', 'true')

  // Discard: the list keeps it, at the Discarded event's version and marked discarded (the
  // service lists discarded aggregates too); its history stays readable.
  await page.getByRole('button', { name: 'Jump to latest version' }).click()
  const commands = await openTab(page, 'Commands')
  await stageCommand(commands, 'Discard')
  await commands.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(commands.getByText(/has been discarded/)).toBeVisible()
  await expect(option).toContainText('v5')
  await expect(option.getByText('discarded', { exact: true })).toBeVisible()
  await openTab(page, 'Timeline')
  await expect(eventRow(page, 5)).toContainText('Discarded')
  await slider.fill('2')
  await openTab(page, 'State')
  await expect(shownAs(page, 2, 5)).toBeVisible()
  await expect(fooItem(page, 'bar3')).toBeVisible()
})

test('a change made in another window shows up live, without reloading', async ({
  page,
  openWindow,
}) => {
  const id = await createAggregate(page, 'live-1')
  await openTab(page, 'State')
  await expect(fooItem(page, 'live-1')).toBeVisible()
  await expect(page.getByRole('status', { name: /^Live updates: Live/ })).toBeVisible()

  const other = await openWindow()
  await other.getByRole('searchbox', { name: 'Filter by id prefix' }).fill(id)
  const option = other
    .getByRole('listbox', { name: 'Aggregates' })
    .getByRole('option', { name: new RegExp(id) })
  await expect(option).toHaveCount(1)
  await option.click()
  await setFooAndSave(other, 'live-2')

  // The first window follows: state, version, list, timeline.
  await expect(fooItem(page, 'live-2')).toBeVisible()
  await expect(shownAs(page, 1, 1)).toBeVisible()
  await expect(
    page.getByRole('listbox', { name: 'Aggregates' }).getByRole('option', { name: new RegExp(id) }),
  ).toContainText('v1')
  await openTab(page, 'Timeline')
  await expect(eventRow(page, 1)).toContainText('live-2')
  await other.close()
})
