/**
 * The connection screen: an unreachable cluster gives a clear error with Retry and loses
 * nothing (the working connection stays); going back to the store the run started with works
 * again. Runs last among the UI specs' effects on the server: it always reconnects to the
 * original store before it ends.
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
  // The failed attempt kept the working connection.
  await expect(page.getByRole('button', { name: 'Back to explorer' })).toBeVisible()

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
  // The screen stays open while it connects (the working connection is kept until then).
  await expect(page.getByRole('button', { name: 'Connecting…' })).toHaveCount(0, {
    timeout: 30_000,
  })
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

test('a failed connect keeps the working connection and shows one error, next to Connect', async ({
  page,
}) => {
  const changeStore = page.getByRole('button', { name: /^Change store/ })
  const storeBefore = await changeStore.getAttribute('aria-label')
  await changeStore.click()
  const form = page.getByRole('form', { name: 'Connection settings' })
  await form.getByRole('radio', { name: 'Embedded SQLite' }).check()
  // /etc/passwd is a file: no database can be made under it.
  await form.getByRole('textbox', { name: 'Database file' }).fill('/etc/passwd/x.sqlite')
  const connect = form.getByRole('button', { name: 'Connect', exact: true })
  await connect.click()

  const alert = page.getByRole('alert')
  await expect(alert).toHaveCount(1, { timeout: 30_000 })
  // Refused by the SQLite path policy before anything is opened: it names the folder at fault.
  await expect(alert).toContainText('/etc/passwd is not a folder')
  await expect(alert).toContainText('Still connected to')
  await expect(alert).not.toContainText(/\n\s+at |node:internal|\.js:\d+/)
  // Seen where the attempt was made: in view, right above the Connect button.
  await expect(alert).toBeInViewport()
  const alertBox = (await alert.boundingBox())!
  const connectBox = (await connect.boundingBox())!
  expect(connectBox.y - (alertBox.y + alertBox.height)).toBeGreaterThanOrEqual(0)
  expect(connectBox.y - (alertBox.y + alertBox.height)).toBeLessThan(80)
  if (process.env['E2E_SCREENSHOTS_DIR'])
    await page.screenshot({ path: `${process.env['E2E_SCREENSHOTS_DIR']}/connect-error.png` })

  // The working connection is still there and still answers.
  await expect(
    page
      .getByRole('group', { name: 'Current connection' })
      .or(page.getByLabel('Current connection')),
  ).toContainText('Connected')
  await page.getByRole('button', { name: 'Back to explorer' }).click()
  await expect(page.getByRole('button', { name: 'New aggregate' })).toBeVisible()
  await expect(changeStore).toHaveAttribute('aria-label', storeBefore!)
})

test('an invalid keyspace says why Connect is disabled', async ({ page }) => {
  await page.getByRole('button', { name: /^Change store/ }).click()
  const form = page.getByRole('form', { name: 'Connection settings' })
  await form.getByRole('radio', { name: 'Cassandra' }).check()
  const keyspace = form.getByRole('textbox', { name: 'Keyspace' })
  const connect = form.getByRole('button', { name: 'Connect', exact: true })

  await keyspace.fill('my-keyspace')

  await expect(connect).toBeDisabled()
  await expect(connect).toHaveAccessibleDescription(/keyspace.*only letters, digits and _/i)
  await expect(keyspace).toHaveAttribute('aria-invalid', 'true')
  await expect(keyspace).toHaveAccessibleDescription(/only letters, digits and _/)
  if (process.env['E2E_SCREENSHOTS_DIR']) {
    await connect.scrollIntoViewIfNeeded()
    await page.screenshot({ path: `${process.env['E2E_SCREENSHOTS_DIR']}/keyspace-invalid.png` })
  }

  await keyspace.fill('1abc')
  await expect(connect).toHaveAccessibleDescription(/starts with a letter/)
  await keyspace.fill('valid_name')
  await expect(connect).toBeEnabled()
  await expect(keyspace).toHaveAttribute('aria-invalid', 'false')

  // Nothing was submitted: back to the explorer on the same store.
  await page.getByRole('button', { name: 'Back to explorer' }).click()
  await expect(page.getByRole('button', { name: 'New aggregate' })).toBeVisible()
})
