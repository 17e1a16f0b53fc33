/**
 * Read-only connections, the environment label, and the key check as a user meets them: a
 * read-only connection disables every write control and says why; a wrong cipher key is told on
 * the connection screen at once and makes the connection read-only; the right key makes it
 * writable again. Leaves the server as it found it: the run's key, writable, no label.
 */
import { randomBytes } from 'node:crypto'
import { createAggregate as createWith } from './commandsUi'
import { expect, test } from './fixtures'
import type { Page } from '@playwright/test'
import { CIPHER_KEY } from './runKey'

const SHOTS = process.env['E2E_SHOTS_DIR'] ?? '/tmp'

async function openConnectionScreen(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Change store/ }).click()
  await expect(page.getByRole('heading', { name: 'Connect to an event store' })).toBeVisible()
}

async function connectWith(
  page: Page,
  options: { readOnly: boolean; label: string; colour?: string },
): Promise<void> {
  const form = page.getByRole('form', { name: 'Connection settings' })
  await form.getByRole('checkbox', { name: 'Open read-only' }).setChecked(options.readOnly)
  await form.getByRole('textbox', { name: 'Environment label' }).fill(options.label)
  if (options.colour)
    await form.getByRole('combobox', { name: 'Label colour' }).selectOption(options.colour)
  await form.getByRole('button', { name: 'Connect', exact: true }).click()
  // Connected with a matching key: the screen closes by itself.
  await expect(page.getByRole('heading', { name: 'Connect to an event store' })).toHaveCount(0)
}

async function useKey(page: Page, key: string): Promise<void> {
  const section = page.getByRole('region', { name: 'Cipher key' })
  await section.getByLabel('Cipher key (base64)').fill(key)
  await section.getByRole('button', { name: 'Use key' }).click()
  await expect(section).toContainText('Entered for this session')
  await expect(section.getByRole('button', { name: 'Use key' })).not.toHaveAttribute(
    'aria-busy',
    'true',
  )
}

async function backToExplorer(page: Page): Promise<void> {
  const back = page.getByRole('button', { name: 'Back to explorer' })
  if (await back.isVisible()) await back.click()
  await expect(page.getByRole('button', { name: 'New aggregate' })).toBeVisible()
}

async function createAggregate(page: Page, foo: string): Promise<void> {
  await createWith(page, { foo })
}

test('read-only with a label, then a wrong key, then the right key', async ({ page }) => {
  test.setTimeout(120_000)
  // Something stored with the run's key, so the store has its key check.
  await createAggregate(page, 'written before read-only')
  const newAggregate = page.getByRole('button', { name: 'New aggregate' })
  const seed = page.getByRole('button', { name: 'Seed demo data' })
  const header = page.getByRole('banner')
  try {
    // --- read-only on purpose, labelled PRODUCTION in red
    await openConnectionScreen(page)
    await connectWith(page, { readOnly: true, label: 'PRODUCTION', colour: 'red' })
    await backToExplorer(page)
    const label = header.getByRole('group', { name: 'Connection label' })
    await expect(label).toContainText('PRODUCTION')
    await expect(label).toContainText('Read-only')
    await expect(newAggregate).toBeDisabled()
    await expect(seed).toBeDisabled()
    const notice = page.getByRole('note', { name: /^Read-only/ }).first()
    await expect(notice).toContainText('opened read-only')
    await expect(newAggregate).toHaveAccessibleDescription(/opened read-only/)
    await page.screenshot({ path: `${SHOTS}/read-only-header.png` })

    // The selected aggregate's write tabs say why instead of offering commands.
    await page.getByRole('listbox').getByRole('option').first().click()
    await page.getByRole('tab', { name: 'Commands', exact: true }).click()
    await expect(page.getByRole('tabpanel')).toContainText(/commands are unavailable/i)
    await page.getByRole('tab', { name: 'Conflict demo', exact: true }).click()
    await expect(page.getByRole('tabpanel')).toContainText(/conflict demo is unavailable/i)
    await expect(page.getByRole('tabpanel').getByRole('button', { name: /Open|Save/ })).toHaveCount(
      0,
    )

    // --- writable again, the label kept
    await openConnectionScreen(page)
    await connectWith(page, { readOnly: false, label: 'PRODUCTION' })
    await backToExplorer(page)
    await expect(newAggregate).toBeEnabled()
    await expect(header.getByRole('group', { name: 'Connection label' })).toContainText(
      'PRODUCTION',
    )
    await expect(header.getByText('Read-only')).toHaveCount(0)

    // --- a wrong key: told on the connection screen at once, and read-only
    await openConnectionScreen(page)
    await useKey(page, randomBytes(32).toString('base64'))
    const section = page.getByRole('region', { name: 'Cipher key' })
    const mismatch = section.getByRole('alert')
    await expect(mismatch).toContainText('Wrong cipher key for this store')
    await expect(mismatch).toContainText('read-only')
    await expect(page.getByRole('definition').filter({ hasText: /^Read-only:/ })).toBeVisible()
    await page.setViewportSize({ width: 1280, height: 1500 })
    await page.screenshot({ path: `${SHOTS}/key-mismatch-connection.png` })
    await page.setViewportSize({ width: 1280, height: 720 })
    await backToExplorer(page)
    await expect(newAggregate).toBeDisabled()
    await expect(page.getByRole('note', { name: /^Read-only/ }).first()).toContainText('cipher key')

    // --- the right key: writable again
    await openConnectionScreen(page)
    await useKey(page, CIPHER_KEY)
    await expect(section.getByRole('alert')).toHaveCount(0)
    // The key check's status (the section also has the key in use's).
    await expect(section.getByRole('status').filter({ hasText: 'matches' })).toBeVisible()
    await backToExplorer(page)
    await expect(newAggregate).toBeEnabled()
    await createAggregate(page, 'written after the key was fixed')
  } finally {
    // As the run started: the run's key, writable, no label.
    await openConnectionScreen(page)
    await useKey(page, CIPHER_KEY)
    await connectWith(page, { readOnly: false, label: '' })
    await backToExplorer(page)
    await expect(header.getByRole('group', { name: 'Connection label' })).toHaveCount(0)
  }
})
