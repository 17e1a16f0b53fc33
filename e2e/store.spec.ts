/**
 * The pass runs on the store it was started for: with E2E_STORE=cassandra the app is connected to
 * Cassandra, on the run's keyspace (playwright.config.ts names it); else to the run's SQLite file.
 * Without this, a Cassandra pass that fell back to SQLite would pass as a Cassandra pass.
 */
import { expect, test } from './fixtures'

const store = (process.env['E2E_STORE'] ?? 'sqlite').trim().toLowerCase()

test(`the app is connected to the run's ${store} store`, async ({ page }) => {
  const status = page.getByRole('group', { name: 'Connection status' })
  const current = status.getByRole('button', { name: /^Change store \(current: / })
  await expect(current).toBeVisible()
  if (store === 'cassandra') {
    const keyspace = `e2e_${process.env['E2E_RUN_ID']}`.slice(0, 48)
    expect(process.env['E2E_RUN_ID']).toBeTruthy()
    await expect(current).toHaveAccessibleName(
      new RegExp(`^Change store \\(current: Cassandra keyspace ${keyspace} on \\S`),
    )
  } else {
    await expect(current).toHaveAccessibleName(
      /^Change store \(current: SQLite .*[/\\]e2e\.sqlite\)$/,
    )
  }
  // Live: the connection is up, not merely configured.
  await expect(status.getByRole('status', { name: /^Live updates: Live\b/ })).toBeVisible()
})
