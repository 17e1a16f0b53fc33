/**
 * What the user sees after an action, at 1280×720 (a laptop): each action's outcome (a save's
 * result, a refused save, a check's verdict, a seed's count) must be inside the viewport, not
 * below the fold of a scrolled panel where nothing seems to happen. Roles and names only.
 * E2E_SHOTS_DIR=<dir> also writes a screenshot of each outcome there, to look at.
 */
import type { Page } from '@playwright/test'
import {
  chooseSeedType,
  createAggregate,
  expectedVersion,
  openTab,
  stageCommand,
  stageFoo,
} from './commandsUi'
import { expect, test } from './fixtures'

test.use({ viewport: { width: 1280, height: 720 } })

/**
 * All of it: Playwright scrolls the clicked button into view, so an outcome just under it is
 * often partly on screen even when the user would have to scroll to read it.
 */
const WHOLE = { ratio: 1 }

async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env['E2E_SHOTS_DIR']
  if (dir) await page.screenshot({ path: `${dir}/${name}.png` })
}

test('Save in Commands: the stored batch is shown in the viewport', async ({ page }) => {
  await createAggregate(page, { foo: 'one' })
  const panel = await openTab(page, 'Commands')
  // A batch long enough that its preview fills the panel below the form.
  await stageFoo(panel, 'two', 'three', 'four')
  await stageCommand(panel, 'Create example')
  await panel.getByRole('button', { name: 'Save', exact: true }).click()
  const saved = panel
    .getByRole('status')
    .filter({ hasText: 'Saved 4 events together as one batch: versions 1–4.' })
  await expect(saved).toBeInViewport(WHOLE)
  await expect(expectedVersion(panel, 4)).toBeVisible()
  await shot(page, 'commands-saved')
})

test('conflict demo: the winner’s save and the loser’s refusal are shown in the viewport', async ({
  page,
}) => {
  await createAggregate(page, { foo: 'start' })
  const panel = await openTab(page, 'Conflict demo')
  const a = panel.getByRole('region', { name: 'Client A' })
  const b = panel.getByRole('region', { name: 'Client B' })
  await stageFoo(a, 'A1', 'A2')
  await stageFoo(b, 'B1', 'B2')

  await a.getByRole('button', { name: 'Save', exact: true }).click()
  const saved = a.getByRole('status').filter({ hasText: 'Saved 2 events' })
  await expect(saved).toBeInViewport(WHOLE)

  await b.getByRole('button', { name: 'Save', exact: true }).click()
  const refused = b.getByRole('alert').filter({ hasText: 'ConcurrencyError' })
  await expect(refused).toContainText(
    'Client B expected version 1 to be free; the store already holds versions up to 2 (written by another client)',
  )
  await expect(refused).toBeInViewport(WHOLE)
  await shot(page, 'conflict-refused')

  // After Reload, B's save is stored, and that too is in view.
  await b.getByRole('button', { name: 'Reload', exact: true }).click()
  await expect(expectedVersion(b, 2)).toBeVisible()
  await b.getByRole('button', { name: 'Save', exact: true }).click()
  const bSaved = b.getByRole('status').filter({ hasText: 'versions 3–4' })
  await expect(bSaved).toBeInViewport(WHOLE)
  await shot(page, 'conflict-resolved')
})

test('Verify whole history and Verify store: the verdict is shown in the viewport', async ({
  page,
}) => {
  await createAggregate(page, { foo: 'checked' })
  const panel = await openTab(page, 'Commands')
  await stageFoo(panel, 'again')
  await panel.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(panel.getByRole('status').filter({ hasText: 'Saved 1 event' })).toBeVisible()

  await page.getByRole('button', { name: 'Verify whole history' }).click()
  await expect(
    page.getByRole('status', { name: /^Hash chain: whole history verified .*\(v0–v1\)$/ }),
  ).toBeInViewport(WHOLE)

  await page.getByRole('button', { name: 'Verify store' }).click()
  const dialog = page.getByRole('dialog', { name: 'Verify store' })
  await expect(
    dialog.getByRole('status').filter({ hasText: /aggregates and .* checked/ }),
  ).toBeInViewport({ ...WHOLE, timeout: 30_000 })
  await shot(page, 'verify-store')
  await dialog.getByRole('button', { name: 'Close' }).click()
})

test('Seed: the seeded count is shown in the viewport', async ({ page }) => {
  await page.getByRole('button', { name: 'Seed demo data' }).click()
  const dialog = page.getByRole('dialog', { name: 'Seed demo data' })
  await chooseSeedType(dialog)
  await dialog.getByRole('spinbutton', { name: 'Aggregates' }).fill('2')
  await dialog.getByRole('spinbutton', { name: 'Events per aggregate' }).fill('3')
  await dialog.getByRole('button', { name: 'Seed', exact: true }).click()
  const seeded = dialog
    .getByRole('status')
    .filter({ hasText: 'Seeded 2 aggregates with 6 events.' })
  await expect(seeded).toBeInViewport({ ...WHOLE, timeout: 30_000 })
  await shot(page, 'seeded')
  await dialog.getByRole('button', { name: 'Close' }).click()
})
