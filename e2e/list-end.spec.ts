/**
 * The aggregate list reaches its end: with 600 seeded aggregates (six pages and more), End
 * reads the list from its end and selects the last aggregate by id, Home goes back to the
 * first. The truth it is compared with is the whole list, read by paging down from the top in
 * a fresh page. Other specs may add aggregates meanwhile, so the ends are compared as "at
 * least as far" as the ids read, and the option's position as the whole list's last.
 */
import type { Locator, Page } from '@playwright/test'
import { chooseSeedType } from './commandsUi'
import { expect, test } from './fixtures'

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g

async function seed(page: Page, aggregates: number): Promise<void> {
  await page.getByRole('button', { name: 'Seed demo data' }).click()
  const dialog = page.getByRole('dialog', { name: 'Seed demo data' })
  await chooseSeedType(dialog)
  await dialog.getByRole('spinbutton', { name: 'Aggregates' }).fill(String(aggregates))
  await dialog.getByRole('spinbutton', { name: 'Events per aggregate' }).fill('1')
  await dialog.getByRole('button', { name: 'Seed', exact: true }).click()
  await expect(
    dialog.getByRole('status').filter({ hasText: `Seeded ${aggregates} aggregates` }),
  ).toBeVisible({ timeout: 90_000 })
  await dialog.getByRole('button', { name: 'Close' }).click()
  await expect(dialog).toBeHidden()
}

/** The aggregates listbox, ordered by id, with the focus. */
async function listById(page: Page): Promise<Locator> {
  await page.getByRole('combobox', { name: 'Order' }).selectOption({ label: 'By id' })
  const list = page.getByRole('listbox', { name: 'Aggregates' })
  // Busy while the previous order's rows stand in for the new order's.
  await expect(list).not.toHaveAttribute('aria-busy', 'true')
  await expect(list.getByRole('option').first()).toBeVisible()
  await list.focus()
  return list
}

async function selected(list: Locator): Promise<{ id: string; pos: number; size: number }> {
  const option = list.getByRole('option', { selected: true })
  await expect(option).toHaveCount(1)
  const id = (await option.textContent())?.match(UUID)?.[0] ?? ''
  const pos = Number(await option.getAttribute('aria-posinset'))
  const size = Number(await option.getAttribute('aria-setsize'))
  return { id, pos, size }
}

test('End reaches the last aggregate by id and Home the first', async ({ page }) => {
  test.setTimeout(240_000)
  await seed(page, 600)

  // The whole list, by id: page down from the first row to the last, keeping every id seen.
  let list = await listById(page)
  // The seed selected its last aggregate, wherever it is: Home selects the first.
  await page.keyboard.press('Home')
  await expect(list.getByRole('option', { selected: true })).toHaveAttribute('aria-posinset', '1')
  const seen = new Set<string>()
  for (let at = await selected(list); ;) {
    for (const text of await list.getByRole('option').allTextContents())
      for (const id of text.match(UUID) ?? []) seen.add(id)
    if (at.pos === at.size) break
    await page.keyboard.press('PageDown')
    await expect(list.getByRole('option', { selected: true })).not.toHaveAttribute(
      'aria-posinset',
      String(at.pos),
    )
    at = await selected(list)
  }
  const ids = [...seen].sort()
  expect(ids.length).toBeGreaterThanOrEqual(600)

  // A fresh page: End cannot be reached by what is loaded (the first page only).
  await page.reload()
  list = await listById(page)
  await page.keyboard.press('End')
  await expect(list.getByRole('option', { selected: true })).toBeVisible()
  const last = await selected(list)
  expect(last.pos).toBe(last.size)
  expect(last.size).toBeGreaterThanOrEqual(ids.length)
  expect(last.id >= ids.at(-1)!).toBe(true)
  // The rows above the last are the list's, in order: the last page was read, not guessed.
  const shown = (await list.getByRole('option').allTextContents()).map((t) => t.match(UUID)?.[0])
  expect(shown.at(-1)).toBe(last.id)
  expect([...shown].sort()).toEqual(shown)

  await page.keyboard.press('Home')
  await expect(list.getByRole('option', { selected: true })).toHaveAttribute('aria-posinset', '1')
  const first = await selected(list)
  expect(first.id <= ids[0]!).toBe(true)

  // Ctrl+End does the same as End.
  await page.keyboard.press('Control+End')
  await expect(list.getByRole('option', { selected: true })).toHaveAttribute(
    'aria-posinset',
    String(last.size),
  )
  expect((await selected(list)).id).toBe(last.id)
})
