/**
 * Screenshots of the main screens, light and dark, into docs/screenshots/. Driven through the
 * UI like a user. Opt-in, since it writes files: E2E_SCREENSHOTS=1 npx playwright test e2e/screenshots.spec.ts
 */
import { expect, test, type Page } from '@playwright/test'

const OUT = 'docs/screenshots'
const AGGREGATE_REGION = /^Aggregate [0-9a-f-]{36}$/

test.skip(!process.env['E2E_SCREENSHOTS'], 'set E2E_SCREENSHOTS=1 to refresh docs/screenshots')
test.describe.configure({ mode: 'serial' })
test.use({ viewport: { width: 1440, height: 900 } })

async function openTab(page: Page, name: string) {
  await page.getByRole('tab', { name, exact: true }).click()
  return page.getByRole('tabpanel')
}

async function settle(page: Page) {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0)
  await page.waitForTimeout(400) // let transitions and the live pulse finish
}

let aggregateId = ''

test('prepare demo data', async ({ page }) => {
  await page.goto('/')
  await page.getByRole('button', { name: 'Seed demo data' }).click()
  const seed = page.getByRole('dialog', { name: 'Seed demo data' })
  await seed.getByRole('spinbutton', { name: 'Aggregates' }).fill('60')
  await seed.getByRole('spinbutton', { name: 'Events per aggregate' }).fill('25')
  await seed.getByRole('button', { name: 'Seed', exact: true }).click()
  await expect(seed.getByRole('status').filter({ hasText: 'Seeded' })).toBeVisible({
    timeout: 60_000,
  })
  await seed.getByRole('button', { name: 'Close' }).click()

  await page.getByRole('button', { name: 'New aggregate' }).click()
  const dialog = page.getByRole('dialog', { name: 'New aggregate' })
  await dialog.getByRole('textbox', { name: 'Initial foo' }).fill('bar1')
  await dialog.getByRole('button', { name: 'Create' }).click()
  const region = page.getByRole('region', { name: AGGREGATE_REGION })
  aggregateId = (await region.getAttribute('aria-label'))!.replace('Aggregate ', '')

  const commands = await openTab(page, 'Commands')
  for (const batch of [['bar2'], ['bar3', 'bar4', 'bar5'], ['bar6', 'bar7']]) {
    for (const value of batch) {
      await commands.getByRole('textbox', { name: 'foo', exact: true }).fill(value)
      await commands.getByRole('button', { name: 'Set foo' }).click()
    }
    await commands.getByRole('button', { name: 'Add example' }).click()
    await commands.getByRole('button', { name: 'Save', exact: true }).click()
    await expect(commands.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible()
  }
})

for (const scheme of ['light', 'dark'] as const) {
  test(`screens in ${scheme}`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme })
    await page.goto('/')
    await expect(page.getByRole('listbox', { name: 'Aggregates' })).toBeVisible()
    await settle(page)
    await page.screenshot({ path: `${OUT}/aggregates-${scheme}.png` })

    await page.getByRole('button', { name: /^Change store/ }).click()
    await expect(page.getByRole('heading', { name: 'Connect to an event store' })).toBeVisible()
    await settle(page)
    await page.screenshot({ path: `${OUT}/connection-${scheme}.png` })
    await page.getByRole('button', { name: 'Back to explorer' }).click()

    await page.getByRole('searchbox', { name: 'Filter by id prefix' }).fill(aggregateId.slice(0, 8))
    await page.getByRole('option', { name: new RegExp(aggregateId) }).click()
    await page.getByRole('searchbox', { name: 'Filter by id prefix' }).fill('')
    await page.getByRole('slider', { name: 'Version' }).fill('4')
    await openTab(page, 'State')
    await expect(page.getByRole('status').filter({ hasText: 'as of version 4 of 9' })).toBeVisible()
    await settle(page)
    await page.screenshot({ path: `${OUT}/state-${scheme}.png` })

    await openTab(page, 'Timeline')
    await page.getByRole('button', { name: 'Raw record of version 3' }).click()
    await expect(page.getByRole('group', { name: 'Stored record, version 3' })).toContainText(
      'encrypted',
    )
    await settle(page)
    await page.screenshot({ path: `${OUT}/timeline-${scheme}.png` })
  })
}
