/**
 * A store Python's eventsourcing library wrote (encrypted and compressed, with snapshots),
 * opened from the connection screen as "eventsourcing (Python) on SQLite": the aggregate list,
 * a timeline, a snapshot's state, a diff between snapshots, and an event Python writes while
 * the page is open appearing live. The store is written with the run's cipher key, so no key
 * has to be entered. It reconnects to the run's own store before it ends.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { appendPythonEvents, pythonAvailable, writePythonStores } from '../test/pythonStores'
import { openTab } from './commandsUi'
import { expect, test } from './fixtures'
import type { Locator } from '@playwright/test'
import { CIPHER_KEY } from './runKey'

const available = pythonAvailable()

test('a Python-written encrypted store: list, timeline, snapshot state, diff, live tail', async ({
  page,
}) => {
  test.skip(!available.ok && !process.env['CI'], available.ok ? '' : available.reason)
  if (!available.ok) throw new Error(available.reason)
  test.setTimeout(120_000)
  // Inside the run's data folder: browser mode opens SQLite files there only.
  const dir = join(process.env['E2E_DATA_DIR']!, `python-${Date.now().toString(36)}`)
  mkdirSync(dir, { recursive: true })
  const report = writePythonStores({ sqliteDir: dir, key: CIPHER_KEY })
  const shop = report.applications.find((a) => a.backend === 'sqlite' && a.name === 'Shop')!
  const cart = shop.aggregates.find((a) => a.type.endsWith(':Cart'))!

  const changeStore = page.getByRole('button', { name: /^Change store/ })
  const storeBefore = await changeStore.getAttribute('aria-label')
  await changeStore.click()
  const form = page.getByRole('form', { name: 'Connection settings' })
  const startedOnCassandra = await form.getByRole('radio', { name: 'Cassandra' }).isChecked()
  // What the run's store is, to come back to it (the form is pre-filled from it now).
  const original: { path?: string; contactPoints?: string; keyspace?: string } = startedOnCassandra
    ? {
        contactPoints: await form.getByRole('textbox', { name: 'Contact points' }).inputValue(),
        keyspace: await form.getByRole('textbox', { name: 'Keyspace' }).inputValue(),
      }
    : { path: await form.getByRole('textbox', { name: 'Database file' }).inputValue() }
  await form.getByRole('radio', { name: 'eventsourcing (Python) on SQLite' }).check()
  await form.getByRole('textbox', { name: 'SQLite file' }).fill(shop.path!)
  await form.getByRole('button', { name: 'Connect', exact: true }).click()
  await expect(page.getByRole('alert')).toHaveCount(0, { timeout: 30_000 })
  const back = page.getByRole('button', { name: 'Back to explorer' })
  await closeConnectionScreen(back)
  await expect(changeStore).toHaveAttribute('aria-label', /Python eventsourcing/)

  // Whatever fails below, the finally block reconnects the run's own store, so later specs
  // on this server are not left on a read-only Python store.
  try {
    // The list: every aggregate the library wrote.
    const list = page.getByRole('listbox', { name: 'Aggregates' })
    for (const a of shop.aggregates)
      await expect(list.getByRole('option', { name: new RegExp(a.id) })).toBeVisible()
    // Counted apart from the page (no counter in a Python store): the heading says so once known.
    const total = `${shop.aggregates.length} aggregates`
    await expect(page.getByRole('region', { name: 'Aggregates' })).toContainText(total)
    await list.getByRole('option', { name: new RegExp(cart.id) }).click()
    // The scrubber starts where the store's histories start: version 1.
    await expect(page.getByRole('slider', { name: 'Version' })).toHaveAttribute('min', '1')

    // The state: the newest snapshot's (the library's Snapshot.state), owner included.
    const state = page.getByRole('tree', { name: 'State' })
    await expect(state.getByRole('treeitem', { name: /^owner: "(ada|grace)"$/ })).toBeVisible()

    // The timeline: every event with its decoded payload.
    const timeline = await openTab(page, 'Timeline')
    const events = timeline.getByRole('table', { name: 'Events' })
    // Python's versions start at 1: the store says so, and the count and rows start there.
    for (const e of cart.events)
      await expect(events.getByRole('row', { name: new RegExp(`^v${e.version}\\b`) })).toBeVisible()
    await expect(events.getByRole('row', { name: /^v7\b/ })).toContainText('CheckedOut')
    await expect(timeline.getByText(`${cart.events.length} events`, { exact: true })).toBeVisible()
    await expect(events.getByRole('row', { name: /^(v0\b|Version 0\b)/ })).toHaveCount(0)

    // Snapshots: both, newest first, and the older one's state.
    const snapshots = await openTab(page, 'Snapshots')
    for (const s of cart.snapshots)
      await expect(snapshots.getByRole('rowheader', { name: `v${s.version}` })).toBeVisible()

    // A diff between the two snapshots' states: the items list grew.
    const [older, newer] = cart.snapshots
    const diff = await openTab(page, 'Diff')
    await diff.getByRole('spinbutton', { name: 'From version' }).fill(String(older!.version))
    await diff.getByRole('spinbutton', { name: 'To version' }).fill(String(newer!.version))
    const between = diff.getByRole('list', {
      name: `Differences from version ${older!.version} to version ${newer!.version}`,
    })
    await expect(between.getByRole('listitem').first()).toBeVisible()

    // Live: Python appends to this cart; the timeline shows it without a reload.
    await openTab(page, 'Timeline')
    appendPythonEvents({
      sqliteDir: dir,
      key: CIPHER_KEY,
      app: 'Shop',
      backend: 'sqlite',
      id: cart.id,
      count: 1,
    })
    await expect(events.getByRole('row', { name: /^v8\b/ })).toBeVisible({ timeout: 20_000 })
    await expect(
      timeline.getByText(`${cart.events.length + 1} events`, { exact: true }),
    ).toBeVisible()
  } finally {
    // Back to the run's own store.
    await changeStore.click()
    await form
      .getByRole('radio', { name: startedOnCassandra ? 'Cassandra' : 'Embedded SQLite' })
      .check()
    if (original.path !== undefined) {
      await form.getByRole('textbox', { name: 'Database file' }).fill(original.path)
    } else {
      await form.getByRole('textbox', { name: 'Contact points' }).fill(original.contactPoints!)
      await form.getByRole('textbox', { name: 'Keyspace' }).fill(original.keyspace!)
    }
    await form.getByRole('button', { name: 'Connect', exact: true }).click()
    await expect(page.getByRole('alert')).toHaveCount(0, { timeout: 30_000 })
    await closeConnectionScreen(back)
    await expect(changeStore).toHaveAttribute('aria-label', storeBefore!)
  }
})

/**
 * The connection screen may close by itself once connected: click Back only while it is still
 * there (a click on a button that goes away meanwhile would wait for it forever).
 */
async function closeConnectionScreen(back: Locator): Promise<void> {
  await expect(async () => {
    if (await back.isVisible()) await back.click({ timeout: 1000 })
    await expect(back).toBeHidden({ timeout: 1000 })
  }).toPass({ timeout: 30_000 })
}
