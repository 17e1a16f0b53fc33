/**
 * Screenshots of every main screen, light and dark, into docs/screenshots/<screen>-<scheme>.jpg,
 * driven through the UI like a user at 1280×720 (the size the outcome checks use). Opt-in, since
 * it writes files, and meant for releases: JPEG at quality 60 keeps a full set near 1 MB, so the
 * repository does not grow by megabytes for every tweak.
 *   npm run build && E2E_SCREENSHOTS=1 npx playwright test e2e/screenshots.spec.ts --project chromium
 */
import { expect, test, type Page } from '@playwright/test'
import {
  createAggregate,
  chooseSeedType,
  expectedVersion,
  openTab,
  saveStaged,
  stageCommand,
  stageFoo,
} from './commandsUi'

const OUT = 'docs/screenshots'

test.skip(!process.env['E2E_SCREENSHOTS'], 'set E2E_SCREENSHOTS=1 to refresh docs/screenshots')
test.describe.configure({ mode: 'serial' })
test.use({ viewport: { width: 1280, height: 720 } })

async function settle(page: Page): Promise<void> {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0)
  await page.waitForTimeout(400) // let transitions and the live pulse finish
}

async function shoot(page: Page, screen: string, scheme: string): Promise<void> {
  await settle(page)
  await capture(page, screen, scheme)
}

function capture(page: Page, screen: string, scheme: string): Promise<Buffer> {
  return page.screenshot({ path: `${OUT}/${screen}-${scheme}.jpg`, type: 'jpeg', quality: 60 })
}

/** The seed's walk-through, in batches: versions 0 to 9, snapshots every second version. */
async function createWalkthrough(page: Page): Promise<string> {
  const id = await createAggregate(page, { foo: 'bar1' })
  const commands = await openTab(page, 'Commands')
  for (const batch of [['bar2'], ['bar3', 'bar4', 'bar5'], ['bar6', 'bar7']]) {
    await stageFoo(commands, ...batch)
    await stageCommand(commands, 'Create example')
    await saveStaged(commands)
  }
  await expect(expectedVersion(commands, 9)).toBeVisible()
  return id
}

test('prepare demo data', async ({ page }) => {
  await page.goto('/')
  await page.getByRole('button', { name: 'Seed demo data' }).click()
  const seed = page.getByRole('dialog', { name: 'Seed demo data' })
  await chooseSeedType(seed)
  await seed.getByRole('spinbutton', { name: 'Aggregates' }).fill('60')
  await seed.getByRole('spinbutton', { name: 'Events per aggregate' }).fill('25')
  await seed.getByRole('button', { name: 'Seed', exact: true }).click()
  await expect(seed.getByRole('status').filter({ hasText: 'Seeded' })).toBeVisible({
    timeout: 60_000,
  })
  await seed.getByRole('button', { name: 'Close' }).click()
})

for (const scheme of ['light', 'dark'] as const) {
  test(`screens in ${scheme}`, async ({ page }) => {
    test.setTimeout(180_000)
    await page.emulateMedia({ colorScheme: scheme })
    await page.goto('/')
    await expect(page.getByRole('listbox', { name: 'Aggregates' })).toBeVisible()
    await expect(page.getByRole('heading', { name: 'Select an aggregate' })).toBeVisible()
    await shoot(page, 'overview', scheme)

    await page.getByRole('button', { name: /^Change store/ }).click()
    await expect(page.getByRole('heading', { name: 'Connect to an event store' })).toBeVisible()
    await shoot(page, 'connection', scheme)
    await page.getByRole('button', { name: 'Back to explorer' }).click()

    const id = await createWalkthrough(page)
    const list = page.getByRole('listbox', { name: 'Aggregates' })
    await expect(list.getByRole('option', { name: new RegExp(id) })).toContainText('v9')

    // The list and the selected aggregate's state at its latest version.
    await openTab(page, 'State')
    await expect(page.getByRole('status', { name: /^Hash chain: / })).toBeVisible()
    await shoot(page, 'aggregates', scheme)

    // The scrubber mid-way: the state as of version 4 of 9.
    const slider = page.getByRole('slider', { name: 'Version' })
    await slider.fill('4')
    await expect(page.getByRole('status').filter({ hasText: 'as of version 4 of 9' })).toBeVisible()
    await shoot(page, 'scrubber', scheme)

    // The timeline with the stored (encrypted) record of version 3 open.
    await openTab(page, 'Timeline')
    await page.getByRole('button', { name: 'Raw record of version 3' }).click()
    await expect(page.getByRole('group', { name: 'Stored record, version 3' })).toContainText(
      'encrypted',
    )
    await shoot(page, 'timeline', scheme)
    await page.getByRole('button', { name: 'Jump to latest version' }).click()

    // The diff between two versions.
    const diff = await openTab(page, 'Diff')
    await diff.getByRole('spinbutton', { name: 'From version' }).fill('2')
    await diff.getByRole('spinbutton', { name: 'To version' }).fill('6')
    await expect(
      diff.getByRole('list', { name: 'Differences from version 2 to version 6' }),
    ).toBeVisible()
    await shoot(page, 'diff', scheme)

    // Snapshots, one compared with the state replayed from events.
    const snapshots = await openTab(page, 'Snapshots')
    await snapshots.getByRole('button', { name: 'Compare with replay (snapshot v7)' }).click()
    await expect(snapshots.getByRole('status')).toHaveText(/Matches the state replayed/)
    await shoot(page, 'snapshots', scheme)

    // Commands with a staged batch of three commands and its preview.
    const commands = await openTab(page, 'Commands')
    await stageFoo(commands, 'bar8', 'bar9')
    await stageCommand(commands, 'Create example')
    await expect(commands.getByRole('list', { name: 'Pending events' })).toBeVisible()
    await shoot(page, 'commands', scheme)
    await commands.getByRole('button', { name: 'Discard staged', exact: true }).click()

    // The conflict demo after Client B's stale save was rejected.
    const conflict = await openTab(page, 'Conflict demo')
    const a = conflict.getByRole('region', { name: 'Client A' })
    const b = conflict.getByRole('region', { name: 'Client B' })
    await expect(expectedVersion(b, 9)).toBeVisible()
    await stageFoo(a, 'A was here')
    await stageFoo(b, 'B was here')
    await saveStaged(a)
    await b.getByRole('button', { name: 'Save', exact: true }).click()
    await expect(b.getByRole('alert')).toContainText('ConcurrencyError')
    await shoot(page, 'conflict', scheme)

    // The aggregate's activity over time.
    const activity = await openTab(page, 'Activity')
    await expect(activity.getByRole('heading', { name: /Activity/ })).toBeVisible()
    await shoot(page, 'activity', scheme)

    // Seeding, caught mid-way.
    await page.getByRole('button', { name: 'Seed demo data' }).click()
    const seed = page.getByRole('dialog', { name: 'Seed demo data' })
    await chooseSeedType(seed)
    await seed.getByRole('spinbutton', { name: 'Aggregates' }).fill('400')
    await seed.getByRole('spinbutton', { name: 'Events per aggregate' }).fill('100')
    await seed.getByRole('button', { name: 'Seed', exact: true }).click()
    const progress = seed.getByRole('progressbar')
    await expect(async () => {
      const now = Number(await progress.getAttribute('aria-valuenow'))
      expect(now).toBeGreaterThanOrEqual(20)
    }).toPass({ intervals: [50] })
    await capture(page, 'seeding', scheme)
    await seed.getByRole('button', { name: /^Cancel/ }).click()
    await expect(seed.getByRole('status').filter({ hasText: 'Cancelled' })).toBeVisible({
      timeout: 30_000,
    })
    await seed.getByRole('button', { name: 'Close' }).click()
  })
}
