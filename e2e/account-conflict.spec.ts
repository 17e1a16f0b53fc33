/**
 * The Account in the conflict demo and in the seed, by roles and accessible names only: two
 * clients load the same version, A's deposit wins, B's withdrawal is refused with
 * ConcurrencyError, then runs again on the newest version after Reload; and demo accounts
 * seeded through the Seed dialog show up in the list filtered by type.
 */
import { mkdir } from 'node:fs/promises'
import {
  chooseSeedType,
  createAggregate,
  expectedVersion,
  filterListByType,
  openTab,
  saveStaged,
  stageCommand,
  stateItem,
} from './commandsUi'
import { expect, test } from './fixtures'

const AMOUNT = 'Amount (minor units)'

test('conflict demo on an account: the stale withdrawal is refused, reloads and saves', async ({
  page,
  target,
}) => {
  await createAggregate(page, { Owner: 'Carol Conflict', Currency: 'GBP' }, 'Account')
  const commands = await openTab(page, 'Commands')
  await stageCommand(commands, 'Deposit', { [AMOUNT]: 5000 })
  await saveStaged(commands)
  await expect(expectedVersion(commands, 1)).toBeVisible()

  const panel = await openTab(page, 'Conflict demo')
  const a = panel.getByRole('region', { name: 'Client A' })
  const b = panel.getByRole('region', { name: 'Client B' })
  await expect(expectedVersion(a, 1)).toBeVisible()
  await expect(expectedVersion(b, 1)).toBeVisible()

  // Both stage on version 1; A saves its deposit first.
  await stageCommand(a, 'Deposit', { [AMOUNT]: 1000, Reference: 'from A' })
  await stageCommand(b, 'Withdraw', { [AMOUNT]: 4000 })
  await a.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(a.getByRole('status')).toContainText('Saved 1 event: version 2.')
  await expect(expectedVersion(a, 2)).toBeVisible()
  await expect(expectedVersion(b, 1)).toBeVisible()

  // B, still at version 1, saves: refused, and the alert names the deposit that won.
  await b.getByRole('button', { name: 'Save', exact: true }).click()
  const alert = b.getByRole('alert')
  await expect(alert).toContainText('ConcurrencyError')
  await expect(alert).toContainText(
    'Client B expected version 2 to be free; the store already holds versions up to 2 (written by another client)',
  )
  const winners = alert.getByRole('list', { name: 'Winning events' }).getByRole('listitem')
  await expect(winners).toHaveCount(1)
  await expect(winners.first()).toContainText('v2')
  await expect(winners.first()).toContainText('Deposited')
  await expect(winners.first()).toContainText('from A')
  await mkdir('/tmp/shots', { recursive: true })
  // The tab panel scrolls on its own: bring the refusal into the picture.
  await alert.scrollIntoViewIfNeeded()
  await page.screenshot({ path: `/tmp/shots/account-conflict-${target}.png`, fullPage: true })

  // Reload B: version 2, its withdrawal kept; saved as version 3.
  await b.getByRole('button', { name: 'Reload', exact: true }).click()
  await expect(expectedVersion(b, 2)).toBeVisible()
  await expect(b.getByRole('alert')).toHaveCount(0)
  const staged = b.getByRole('list', { name: 'Staged by Client B' }).getByRole('listitem')
  await expect(staged).toHaveCount(1)
  await expect(staged.first()).toContainText('Withdraw')
  await b.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(b.getByRole('status')).toContainText('Saved 1 event: version 3.')
  const log = panel.getByRole('list', { name: 'Step log' }).getByRole('listitem')
  await expect(
    log.filter({ hasText: "Client B's save was rejected with ConcurrencyError" }),
  ).toHaveCount(1)
  await expect(log.filter({ hasText: 'Client B saved 1 command: version 3 stored.' })).toHaveCount(
    1,
  )
  await b.getByRole('status').scrollIntoViewIfNeeded()
  await page.screenshot({ path: `/tmp/shots/account-conflict-saved-${target}.png`, fullPage: true })

  // Both changes are stored: 5000 + 1000 - 4000.
  await openTab(page, 'State')
  await expect(stateItem(page.getByRole('tree', { name: 'State' }), 'balance', 2000)).toBeVisible()
})

test('seeding accounts through the Seed dialog lists them under the Account filter', async ({
  page,
}) => {
  // The list's count says how many aggregates the store holds, filters or not.
  const count = page
    .getByRole('region', { name: 'Aggregates' })
    .getByText(/\d aggregates?$|in all$/)
  const inAll = async () =>
    Number(
      /([\d,]+) (aggregates?|in all)$/
        .exec((await count.textContent()) ?? '')?.[1]
        ?.replace(/,/g, ''),
    )
  await expect(count).toBeVisible()
  const before = await inAll()
  expect(before).toBeGreaterThanOrEqual(0)
  await page.getByRole('button', { name: 'Seed demo data' }).click()
  const dialog = page.getByRole('dialog', { name: 'Seed demo data' })
  await expect(dialog).toBeVisible()
  await chooseSeedType(dialog, 'Account')
  await dialog.getByRole('spinbutton', { name: 'Aggregates' }).fill('3')
  await dialog.getByRole('spinbutton', { name: 'Events per aggregate' }).fill('6')
  await expect(dialog.getByText('18 events in total.')).toBeVisible()
  await dialog.getByRole('button', { name: 'Seed', exact: true }).click()
  await expect(
    dialog.getByRole('status').filter({ hasText: 'Seeded 3 aggregates with 18 events.' }),
  ).toBeVisible({ timeout: 30_000 })
  await dialog.getByRole('button', { name: 'Close' }).click()
  await expect(dialog).toBeHidden()

  // Most recent first: the three seeded accounts lead the list filtered by Account.
  await filterListByType(page, 'Account')
  await expect(count).toContainText('matching')
  await expect(async () => expect(await inAll()).toBe(before + 3)).toPass()
  const options = page.getByRole('listbox', { name: 'Aggregates' }).getByRole('option')
  await expect(async () => expect(await options.count()).toBeGreaterThanOrEqual(3)).toPass()
  for (let i = 0; i < 3; i++) await expect(options.nth(i)).toContainText('Account')

  // One of them, opened: a demo owner and its demo events.
  await options.first().click()
  await openTab(page, 'State')
  await expect(
    page
      .getByRole('tree', { name: 'State' })
      .getByRole('treeitem', { name: /^_?owner: "(Ada Lovelace|Alan Turing|Grace Hopper) 1"$/ }),
  ).toBeVisible()
  await openTab(page, 'Timeline')
  await expect(
    page.getByRole('table', { name: 'Events' }).getByRole('row', { name: /^v0\b/ }),
  ).toContainText('Opened')
})
