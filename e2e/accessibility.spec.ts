/**
 * axe-core on every main screen, in the light and the dark theme: the connection screen, the
 * list with the State tab, Timeline, Diff, Snapshots, Commands with a staged command and its
 * preview, the conflict demo after a refused save, Activity, and the New aggregate and Seed
 * dialogs. Fails on any serious or critical violation (contrast, names, roles, focusable
 * scroll regions…). Screens are reached through the UI by roles and names only.
 */
import type { Page } from '@playwright/test'
import { describe, scan, type ScreenReport } from './axe'
import {
  chooseSeedType,
  createAggregate,
  expectedVersion,
  openTab,
  saveStaged,
  stageFoo,
} from './commandsUi'
import { expect, test } from './fixtures'

/** The page's animations, as settle reads them (e2e/ has no DOM lib: named here). */
interface AnimatedDocument {
  document: {
    getAnimations(): Array<{
      playState: string
      effect: { getComputedTiming(): { iterations?: number } } | null
    }>
  }
}

/** Nothing loading or fading in: axe judges colours as they end up. */
async function settle(page: Page): Promise<void> {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0)
  // Every transition (120–200 ms) has ended; endless ones (spinners, shimmer) never do.
  await page.waitForFunction(() =>
    (globalThis as unknown as AnimatedDocument).document
      .getAnimations()
      .every(
        (a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity,
      ),
  )
}

for (const scheme of ['light', 'dark'] as const) {
  test(`no serious or critical axe violation on any main screen (${scheme})`, async ({ page }) => {
    test.setTimeout(180_000)
    await page.emulateMedia({ colorScheme: scheme })
    const reports: ScreenReport[] = []
    const check = async (screen: string) => {
      await settle(page)
      const report = await scan(page, `${screen} (${scheme})`)
      reports.push(report)
      const rules = (list: ScreenReport['other']) =>
        list.map((v) => `${v.id}×${v.nodes.length}`).join(', ') || 'none'
      // The run's record of what axe found, screen by screen (the list reporter prints it).
      console.log(
        `axe ${report.screen}: serious/critical: ${rules(report.blocking)}; minor/moderate: ${rules(report.other)}`,
      )
    }

    await page.getByRole('button', { name: /^Change store/ }).click()
    await expect(page.getByRole('heading', { name: 'Connect to an event store' })).toBeVisible()
    await check('connection')
    await page.getByRole('button', { name: 'Back to explorer' }).click()

    // The New aggregate dialog, then an aggregate of three versions.
    await page.getByRole('button', { name: 'New aggregate' }).click()
    const create = page.getByRole('dialog', { name: 'New aggregate' })
    await expect(create).toBeVisible()
    await check('new aggregate dialog')
    await create.getByRole('button', { name: 'Cancel' }).click()
    await expect(create).toHaveCount(0)

    await createAggregate(page, { foo: 'first' })
    const commands = await openTab(page, 'Commands')
    await stageFoo(commands, 'second', 'third')
    await saveStaged(commands)
    await expect(expectedVersion(commands, 2)).toBeVisible()

    await openTab(page, 'State')
    await expect(page.getByRole('status', { name: /^Hash chain: / }).first()).toBeVisible()
    await check('aggregates + State')

    await openTab(page, 'Timeline')
    await expect(page.getByRole('table', { name: 'Events' })).toBeVisible()
    await check('Timeline')

    const diff = await openTab(page, 'Diff')
    await diff.getByRole('spinbutton', { name: 'From version' }).fill('0')
    await diff.getByRole('spinbutton', { name: 'To version' }).fill('2')
    await expect(
      diff.getByRole('list', { name: 'Differences from version 0 to version 2' }),
    ).toBeVisible()
    await check('Diff')

    const snapshots = await openTab(page, 'Snapshots')
    await expect(snapshots.getByRole('table')).toBeVisible()
    await check('Snapshots')

    const staging = await openTab(page, 'Commands')
    await stageFoo(staging, 'staged only')
    await expect(staging.getByRole('list', { name: 'Pending events' })).toBeVisible()
    await check('Commands with a staged command and its preview')
    await staging.getByRole('button', { name: 'Discard staged', exact: true }).click()

    const conflict = await openTab(page, 'Conflict demo')
    const a = conflict.getByRole('region', { name: 'Client A' })
    const b = conflict.getByRole('region', { name: 'Client B' })
    await expect(expectedVersion(b, 2)).toBeVisible()
    await stageFoo(a, 'A was here')
    await stageFoo(b, 'B was here')
    await saveStaged(a)
    await b.getByRole('button', { name: 'Save', exact: true }).click()
    await expect(b.getByRole('alert')).toContainText('ConcurrencyError')
    await check('Conflict demo after a refused save')

    const activity = await openTab(page, 'Activity')
    await expect(activity.getByRole('heading', { name: /Activity/ })).toBeVisible()
    await check('Activity')

    await page.getByRole('button', { name: 'Seed demo data' }).click()
    const seed = page.getByRole('dialog', { name: 'Seed demo data' })
    await expect(seed).toBeVisible()
    await chooseSeedType(seed)
    await check('Seed dialog')
    await seed.getByRole('button', { name: 'Close' }).click()

    const other = describe(reports, 'other')
    if (other) test.info().annotations.push({ type: 'axe (minor/moderate)', description: other })
    expect(describe(reports, 'blocking'), 'serious or critical axe violations').toBe('')
  })
}
