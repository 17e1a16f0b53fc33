/**
 * Entering the cipher key once (browser mode: for this server's run only, nothing to remember).
 * Sets a fresh random key, then puts the run's own key back so that later specs read their data.
 */
import { randomBytes } from 'node:crypto'
import { expect, test } from './fixtures'
import { CIPHER_KEY } from './runKey'

test('a key entered on the connection screen is used for the session and never shown', async ({
  page,
}) => {
  await page.getByRole('button', { name: /^Change store/ }).click()
  await expect(page.getByRole('heading', { name: 'Connect to an event store' })).toBeVisible()
  const section = page.getByRole('region', { name: 'Cipher key' })
  await expect(section).toContainText('From the environment')
  const input = section.getByLabel('Cipher key (base64)')
  const useKey = section.getByRole('button', { name: 'Use key' })
  // Browser mode has no secure store: nothing to remember, nothing to forget.
  await expect(section.getByRole('checkbox', { name: 'Remember on this computer' })).toHaveCount(0)
  await expect(section.getByRole('button', { name: 'Forget saved key' })).toHaveCount(0)

  // A malformed key is refused, and not echoed.
  await input.fill('not-a-key')
  await useKey.click()
  const alert = section.getByRole('alert')
  await expect(alert).toBeVisible()
  await expect(alert).not.toContainText('not-a-key')
  await expect(input).toHaveValue('')
  await expect(section).toContainText('From the environment')

  const key = randomBytes(32).toString('base64')
  try {
    await input.fill(key)
    await useKey.click()
    await expect(section).toContainText('Entered for this session')
    // Accepted (no "not changed" alert); whether it matches the store is read-only.spec's.
    await expect(section.getByRole('alert').filter({ hasText: 'was not changed' })).toHaveCount(0)
    await expect(input).toHaveValue('')
    await expect(page.getByText(key)).toHaveCount(0)
    expect(await page.content()).not.toContain(key)
  } finally {
    // The run's key again, so that later specs still read what they wrote.
    await input.fill(CIPHER_KEY)
    await useKey.click()
    // The key check has answered for the run's key before the alerts' absence counts: on the
    // run's store (earlier specs wrote to it) the random key's mismatch alert gives way to this.
    // The section has two statuses (the key in use, the key check): the check's, by its text.
    await expect(
      section.getByRole('status').filter({
        hasText: /The cipher key matches the key this store was written with|The store is empty/,
      }),
    ).toBeVisible()
    await expect(useKey).not.toHaveAttribute('aria-busy', 'true')
    await expect(section.getByRole('alert')).toHaveCount(0)
    await expect(input).toHaveValue('')
  }
  await expect(section).toContainText('Entered for this session')
  const back = page.getByRole('button', { name: 'Back to explorer' })
  if (await back.isVisible()) await back.click()
  await expect(page.getByRole('button', { name: 'New aggregate' })).toBeVisible()
  await expect(
    page.getByRole('group', { name: 'Connection status' }).getByLabel(/key you entered/),
  ).toBeVisible()
})
