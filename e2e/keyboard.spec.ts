/**
 * Keyboard only: the conflict demo (Client A and B stage and save, B is refused, reloads and
 * saves) and scrubbing (the version slider's keys, the Local/UTC radio group as one tab stop).
 * Once the aggregate exists (made with the shared helpers), every step is a key press; after
 * each action the focus is on a sensible control and the outcome is announced (status, alert).
 */
import type { Locator, Page } from '@playwright/test'
import {
  createAggregate,
  expectedVersion,
  openTab,
  saveStaged,
  shownAs,
  stageFoo,
} from './commandsUi'
import { expect, test } from './fixtures'

/** Presses Tab (or Shift+Tab) until `target` has the focus; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, key = 'Tab', max = 80): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    const focused = target.evaluate(
      (el) => el === (el.ownerDocument as { activeElement: unknown }).activeElement,
    )
    if (await focused.catch(() => false)) return
    await page.keyboard.press(key)
  }
  await expect(target).toBeFocused({ timeout: 1 })
}

/** Types `text` one key press at a time. */
async function typeKeys(page: Page, text: string): Promise<void> {
  for (const char of text) await page.keyboard.press(char)
}

/** The tab stop of the tab list is the selected tab; arrows move to `name`. */
async function chooseTab(page: Page, name: string): Promise<void> {
  const tablist = page.getByRole('tablist', { name: 'Aggregate views' })
  await tabTo(page, tablist.getByRole('tab', { selected: true }))
  const wanted = tablist.getByRole('tab', { name, exact: true })
  for (let i = 0; i < 10 && (await wanted.getAttribute('aria-selected')) !== 'true'; i += 1)
    await page.keyboard.press('ArrowRight')
  await expect(wanted).toBeFocused()
  await expect(wanted).toHaveAttribute('aria-selected', 'true')
}

test('conflict demo by keyboard: stage, save, refusal, reload, save', async ({ page }) => {
  await createAggregate(page, { foo: 'start' })
  await chooseTab(page, 'Conflict demo')
  const panel = page.getByRole('tabpanel')
  const a = panel.getByRole('region', { name: 'Client A' })
  const b = panel.getByRole('region', { name: 'Client B' })
  await expect(expectedVersion(b, 0)).toBeVisible()
  const stagedHeading = (client: Locator, side: 'A' | 'B', n: number) =>
    client.getByRole('heading', { name: `Staged by Client ${side} (${n})` })

  // A: type the value, Tab to Stage, Enter. The focus stays on Stage.
  await tabTo(page, a.getByRole('textbox', { name: 'foo', exact: true }))
  await typeKeys(page, 'fromA')
  const stageA = a.getByRole('button', { name: 'Stage', exact: true })
  await tabTo(page, stageA)
  await page.keyboard.press('Enter')
  await expect(stagedHeading(a, 'A', 1)).toBeVisible()
  await expect(stageA).toBeFocused()

  // B: type the value and press Enter in the field. The focus stays in the field.
  const fooB = b.getByRole('textbox', { name: 'foo', exact: true })
  await tabTo(page, fooB)
  await typeKeys(page, 'fromB')
  await page.keyboard.press('Enter')
  await expect(stagedHeading(b, 'B', 1)).toBeVisible()
  await expect(fooB).toBeFocused()

  // A saves first: announced, and the focus goes back to A's command form.
  await tabTo(page, a.getByRole('button', { name: 'Save', exact: true }), 'Shift+Tab')
  await page.keyboard.press('Enter')
  await expect(a.getByRole('status')).toContainText('Saved 1 event: version 1.')
  await expect(a.getByRole('combobox', { name: 'Command', exact: true })).toBeFocused()

  // B saves on version 0: refused, announced as an alert; the focus is on its fix, next to it.
  await tabTo(page, b.getByRole('button', { name: 'Save', exact: true }))
  await page.keyboard.press('Enter')
  const alert = b.getByRole('alert')
  await expect(alert).toContainText('ConcurrencyError')
  const reloadLatest = b.getByRole('button', { name: 'Reload latest' })
  await expect(reloadLatest).toBeFocused()

  // Reload latest: B now runs on version 1, its staged command kept; the focus is on Save.
  await page.keyboard.press('Enter')
  await expect(expectedVersion(b, 1)).toBeVisible()
  await expect(b.getByRole('alert')).toHaveCount(0)
  await expect(stagedHeading(b, 'B', 1)).toBeVisible()
  const saveB = b.getByRole('button', { name: 'Save', exact: true })
  await expect(saveB).toBeFocused()

  await page.keyboard.press('Enter')
  await expect(b.getByRole('status')).toContainText('Saved 1 event: version 2.')
  await expect(b.getByRole('combobox', { name: 'Command', exact: true })).toBeFocused()
  await expect(
    panel
      .getByRole('list', { name: 'Step log' })
      .getByRole('listitem')
      .filter({ hasText: 'Client B saved 1 command: version 2 stored.' }),
  ).toHaveCount(1)
})

test('scrubbing by keyboard: slider keys, and Local/UTC as one radio group', async ({ page }) => {
  await createAggregate(page, { foo: 'v0' })
  const commands = await openTab(page, 'Commands')
  await stageFoo(commands, 'v1', 'v2', 'v3')
  await saveStaged(commands)
  await expect(expectedVersion(commands, 3)).toBeVisible()
  await chooseTab(page, 'State')

  // The slider: arrows step, Home and End go to the ends; the status announces the version.
  const slider = page.getByRole('slider', { name: 'Version' })
  await tabTo(page, slider, 'Shift+Tab')
  await page.keyboard.press('ArrowLeft')
  await expect(shownAs(page, 2, 3)).toBeVisible()
  await expect(slider).toBeFocused()
  await page.keyboard.press('Home')
  await expect(shownAs(page, 0, 3)).toBeVisible()
  await page.keyboard.press('ArrowRight')
  await expect(shownAs(page, 1, 3)).toBeVisible()
  await page.keyboard.press('End')
  await expect(shownAs(page, 3, 3)).toBeVisible()
  await expect(slider).toBeFocused()

  // Local/UTC: one tab stop (the checked radio); the arrows move the choice and the focus.
  const zones = page.getByRole('radiogroup', { name: 'Time zone' })
  const local = zones.getByRole('radio', { name: 'Local' })
  const utc = zones.getByRole('radio', { name: 'UTC' })
  await tabTo(page, local, 'Shift+Tab')
  await expect(local).toBeChecked()
  await page.keyboard.press('Tab')
  await expect(utc).not.toBeFocused()
  await expect(local).not.toBeFocused()
  await page.keyboard.press('Shift+Tab')
  await expect(local).toBeFocused()
  await page.keyboard.press('ArrowRight')
  await expect(utc).toBeChecked()
  await expect(utc).toBeFocused()
  await expect(local).not.toBeChecked()
  // The group's stop is now UTC: leaving and coming back lands on it.
  await page.keyboard.press('Tab')
  await page.keyboard.press('Shift+Tab')
  await expect(utc).toBeFocused()
  await page.keyboard.press('ArrowRight')
  await expect(local).toBeChecked()
  await expect(local).toBeFocused()
})
