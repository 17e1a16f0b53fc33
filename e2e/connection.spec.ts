/**
 * The connection screen: an unreachable cluster gives a clear error with Retry and loses
 * nothing; going back to the store the run started with works again. Runs last among the UI
 * specs' effects on the server: it always reconnects to the original store before it ends.
 */
import { expect, test } from './fixtures'

test('an unreachable Cassandra shows a clear error with Retry; reconnecting to the original store works', async ({
  page,
}) => {
  const changeStore = page.getByRole('button', { name: /^Change store/ })
  const storeBefore = await changeStore.getAttribute('aria-label')
  expect(storeBefore).toMatch(/current: .+/)
  await changeStore.click()
  await expect(page.getByRole('heading', { name: 'Connect to an event store' })).toBeVisible()
  const form = page.getByRole('form', { name: 'Connection settings' })

  // Remember the store the run uses, to come back to it.
  const startedOnCassandra = await form.getByRole('radio', { name: 'Cassandra' }).isChecked()
  await form.getByRole('radio', { name: 'Cassandra' }).check()
  const contactPoints = form.getByRole('textbox', { name: 'Contact points' })
  const original = await contactPoints.inputValue()

  // Port 1 on loopback: nothing listens there, so the driver is refused at once.
  await contactPoints.fill('127.0.0.1:1')
  await form.getByRole('button', { name: 'Connect', exact: true }).click()
  const alert = page.getByRole('alert').filter({ hasText: '127.0.0.1:1' })
  await expect(alert).toBeVisible({ timeout: 30_000 })
  await expect(alert).toContainText(/unreachable|cannot|could not|not reach/i)
  await expect(page.getByRole('button', { name: 'Back to explorer' })).toHaveCount(0)

  await alert.getByRole('button', { name: 'Retry' }).click()
  await expect(page.getByRole('alert').filter({ hasText: '127.0.0.1:1' })).toBeVisible({
    timeout: 30_000,
  })

  if (startedOnCassandra) {
    await contactPoints.fill(original)
  } else {
    await form.getByRole('radio', { name: 'Embedded SQLite' }).check()
  }
  await form.getByRole('button', { name: 'Connect', exact: true }).click()
  await expect(page.getByRole('alert')).toHaveCount(0, { timeout: 30_000 })
  const back = page.getByRole('button', { name: 'Back to explorer' })
  if (await back.isVisible()) await back.click()
  await expect(page.getByRole('button', { name: 'New aggregate' })).toBeVisible()
  // Connected to the very store the run started with.
  await expect(page.getByRole('button', { name: /^Change store/ })).toHaveAttribute(
    'aria-label',
    storeBefore!,
  )
})
