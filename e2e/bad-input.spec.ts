/**
 * Bad input gets a clear error and harms nothing (issue 7, section 6), through the UI only:
 * stored text with a right-to-left override shows the override as a visible, named marker (it
 * would make "evil" read "live"); a SQLite path in a missing folder, or outside the server's
 * data folder, is refused with a clear error and creates nothing.
 */
import { existsSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAggregate } from './commandsUi'
import { expect, test } from './fixtures'

const RLO = '\u202E'
const MARKER = { name: 'hidden character: right-to-left override, U+202E' }

test('a payload with U+202E shows the override visibly marked in the state and the timeline', async ({
  page,
}) => {
  await createAggregate(page, { foo: `${RLO}live` })

  await page.getByRole('tab', { name: 'State', exact: true }).click()
  const foo = page.getByRole('tree', { name: 'State' }).getByRole('treeitem', { name: /^_?foo: / })
  await expect(foo.getByRole('img', MARKER)).toBeVisible()
  await expect(foo).toContainText('"⟨U+202E⟩live"')
  expect(await foo.innerHTML()).not.toContain(RLO)

  await page.getByRole('tab', { name: 'Timeline', exact: true }).click()
  const created = page.getByRole('table', { name: 'Events' }).getByRole('row', { name: /^v0\b/ })
  await expect(created.getByRole('img', MARKER)).toBeVisible()
  await expect(created).toContainText('⟨U+202E⟩live')
  await created.getByRole('button', { name: 'Raw record of version 0' }).click()
  const decoded = page.getByRole('group', { name: 'Decoded payload, version 0' })
  await expect(decoded.getByRole('img', MARKER)).toBeVisible()

  const shot = process.env['E2E_BIDI_SCREENSHOT']
  if (shot) await page.screenshot({ path: shot })
})

test('a SQLite file in a missing folder or outside the data folder is refused, creates nothing, and keeps the connection', async ({
  page,
}) => {
  const changeStore = page.getByRole('button', { name: /^Change store/ })
  const storeBefore = await changeStore.getAttribute('aria-label')
  await changeStore.click()
  const form = page.getByRole('form', { name: 'Connection settings' })
  await form.getByRole('radio', { name: 'Embedded SQLite' }).check()
  const path = form.getByRole('textbox', { name: 'Database file' })
  const connect = form.getByRole('button', { name: 'Connect', exact: true })

  const missingFolder = join(tmpdir(), `eventscope-e2e-missing-${Date.now().toString(36)}`)
  await path.fill(join(missingFolder, 'x.sqlite'))
  await connect.click()
  const missing = page.getByRole('alert').filter({ hasText: 'does not exist' })
  await expect(missing).toBeVisible()
  await expect(missing).toContainText(missingFolder)
  expect(existsSync(missingFolder)).toBe(false)

  // /tmp exists, but browser mode opens only files in its data folder.
  const outsideName = `eventscope-e2e-outside-${Date.now().toString(36)}.sqlite`
  await path.fill(join(tmpdir(), outsideName))
  await connect.click()
  await expect(page.getByRole('alert').filter({ hasText: 'outside the folders' })).toBeVisible()
  expect(readdirSync(tmpdir())).not.toContain(outsideName)

  // The connection the run started with is still there.
  await page.getByRole('button', { name: 'Back to explorer' }).click()
  await expect(page.getByRole('button', { name: /^Change store/ })).toHaveAttribute(
    'aria-label',
    storeBefore!,
  )
  await expect(page.getByRole('button', { name: 'New aggregate' })).toBeVisible()
})
