/**
 * The second built-in domain, the Account, through every panel and by roles and accessible
 * names only: open an account, deposit, withdraw, transfer, save; the list's type filter, state,
 * timeline, scrubber, diff, snapshots, activity and export; and the rules that refuse a command
 * (overdraft, closing with money left) without storing anything. The conflict demo and seeding
 * are in e2e/account-conflict.spec.ts.
 */
import { mkdir, readFile } from 'node:fs/promises'
import {
  AGGREGATE_REGION,
  EXAMPLE_TYPE,
  createAggregate,
  eventRow,
  expectedVersion,
  filterListByType,
  listOption,
  openTab,
  saveStaged,
  shownAs,
  stageCommand,
  stageRefused,
  stateItem,
} from './commandsUi'
import { expect, test } from './fixtures'

const AMOUNT = 'Amount (minor units)'
/** A transfer id of our choosing, so that Complete transfer can name it. */
const TRANSFER_ID = '3f2a7c1e-9b4d-4e8a-a1c2-5d6e7f8091a2'

test('an account: open, deposit, withdraw, transfer; every panel shows it', async ({
  page,
  target,
}) => {
  // The receiving account, then the account under test (selected after its creation).
  const payee = await createAggregate(page, { Owner: 'Bob Payee', Currency: 'EUR' }, 'Account')
  const id = await createAggregate(
    page,
    { Owner: 'Ada Tester', Currency: 'USD', 'Overdraft limit (minor units)': 5000 },
    'Account',
  )
  expect(id).not.toBe(payee)

  // v1 alone, then v2..v4 as one batch (a deposit, a withdrawal, a whole transfer).
  const commands = await openTab(page, 'Commands')
  await expect(commands.getByText(/^Account · Expected version/)).toBeVisible()
  await expect(expectedVersion(commands, 0)).toBeVisible()
  await stageCommand(commands, 'Deposit', { [AMOUNT]: 10000, Reference: 'salary' })
  await saveStaged(commands)
  await expect(expectedVersion(commands, 1)).toBeVisible()

  await stageCommand(commands, 'Withdraw', { [AMOUNT]: 3000 })
  await stageCommand(commands, 'Start transfer', {
    'To account': payee,
    [AMOUNT]: 2000,
    'Transfer id': TRANSFER_ID,
  })
  await stageCommand(commands, 'Complete transfer', { 'Transfer id': TRANSFER_ID })
  const pending = commands.getByRole('list', { name: 'Pending events' }).getByRole('listitem')
  await expect(pending).toHaveCount(3)
  await expect(pending.nth(0)).toContainText('v2')
  await expect(pending.nth(0)).toContainText('Withdrawn')
  await expect(pending.nth(1)).toContainText('TransferStarted')
  await expect(pending.nth(2)).toContainText('TransferCompleted')
  await expect(
    stateItem(commands.getByRole('tree', { name: 'Resulting state' }), 'balance', 5000),
  ).toBeVisible()
  await commands.getByRole('button', { name: 'Save', exact: true }).click()
  const saved = commands
    .getByRole('status')
    .filter({ hasText: 'Saved 3 events together as one batch: versions 2–4.' })
  await expect(saved).toBeVisible()
  await expect(
    saved.getByRole('list', { name: 'Stored events' }).getByRole('listitem'),
  ).toHaveCount(3)
  await expect(expectedVersion(commands, 4)).toBeVisible()

  // The overdraft rule: 5000 - 11000 is below -5000. Refused at Stage; nothing is stored.
  await stageRefused(
    commands,
    'Withdraw',
    { [AMOUNT]: 11000 },
    'Cannot withdraw 11000: the balance is 5000 and the overdraft limit is 5000',
  )
  // Closing needs a balance of 0.
  await stageRefused(
    commands,
    'Close account',
    {},
    'The account cannot be closed while its balance is 5000 (it must be 0).',
  )
  await expect(commands.getByRole('heading', { name: 'Staged commands (0)' })).toBeVisible()
  await expect(commands.getByRole('button', { name: 'Save', exact: true })).toBeDisabled()
  await expect(expectedVersion(commands, 4)).toBeVisible()
  const region = page.getByRole('region', { name: AGGREGATE_REGION })
  await expect(region.getByText('4 (latest)')).toBeVisible()

  // The list: filtered by Account it shows both accounts; by the example type, neither.
  await filterListByType(page, 'Account')
  await expect(listOption(page, id)).toContainText('v4')
  await expect(listOption(page, id)).toContainText('Account')
  await expect(listOption(page, payee)).toContainText('v0')
  await filterListByType(page, EXAMPLE_TYPE)
  // The list has answered for the new filter (an example aggregate, or none to match) before
  // the accounts' absence counts: the previous filter's rows stand in until it does.
  const aggregates = page.getByRole('region', { name: 'Aggregates' })
  await expect(
    aggregates
      .getByText('No aggregates match')
      .or(
        aggregates
          .getByRole('listbox', { name: 'Aggregates' })
          .getByRole('option')
          .filter({ hasText: EXAMPLE_TYPE }),
      )
      .first(),
  ).toBeVisible()
  await expect(listOption(page, id)).toHaveCount(0)
  await expect(listOption(page, payee)).toHaveCount(0)
  await filterListByType(page, 'All types')
  await expect(listOption(page, id)).toBeVisible()

  // State at the latest version: owner, currency, limit and balance.
  const state = page.getByRole('tree', { name: 'State' })
  await openTab(page, 'State')
  await expect(shownAs(page, 4, 4)).toBeVisible()
  await expect(stateItem(state, 'owner', 'Ada Tester')).toBeVisible()
  await expect(stateItem(state, 'currency', 'USD')).toBeVisible()
  await expect(stateItem(state, 'overdraftLimit', 5000)).toBeVisible()
  await expect(stateItem(state, 'balance', 5000)).toBeVisible()
  await mkdir('/tmp/shots', { recursive: true })
  await page.screenshot({ path: `/tmp/shots/account-state-${target}.png`, fullPage: true })

  // The timeline: one row per event, with its payload; snapshots (period 2) at v1 and v3.
  await openTab(page, 'Timeline')
  const table = page.getByRole('table', { name: 'Events' })
  await expect(table.getByRole('row')).toHaveCount(6) // header + v0..v4
  const expected: Array<[string, string[]]> = [
    ['Opened', ['Ada Tester', 'USD']],
    ['Deposited', ['10000', 'salary']],
    ['Withdrawn', ['3000']],
    ['TransferStarted', [payee, '2000', TRANSFER_ID]],
    ['TransferCompleted', [TRANSFER_ID]],
  ]
  for (const [version, [type, payload]] of expected.entries()) {
    await expect(eventRow(page, version)).toContainText(type)
    for (const text of payload) await expect(eventRow(page, version)).toContainText(text)
  }
  await expect(eventRow(page, 1)).toContainText('snapshot')
  await expect(eventRow(page, 3)).toContainText('snapshot')

  // The scrubber: back to v1 (10000), v2 (7000), then the latest again.
  const slider = page.getByRole('slider', { name: 'Version' })
  await openTab(page, 'State')
  await slider.fill('1')
  await expect(shownAs(page, 1, 4)).toBeVisible()
  await expect(stateItem(state, 'balance', 10000)).toBeVisible()
  await slider.fill('2')
  await expect(shownAs(page, 2, 4)).toBeVisible()
  await expect(stateItem(state, 'balance', 7000)).toBeVisible()
  await expect(region.getByText('2 of 4', { exact: true })).toBeVisible()
  await page.getByRole('button', { name: 'Jump to latest version' }).click()
  await expect(shownAs(page, 4, 4)).toBeVisible()
  await expect(stateItem(state, 'balance', 5000)).toBeVisible()

  // Diff: the latest event's change, and the balance from version 1 to version 3.
  const diff = await openTab(page, 'Diff')
  await expect(diff.getByRole('list', { name: 'Change made by version 4' })).toContainText(
    TRANSFER_ID,
  )
  await diff.getByRole('spinbutton', { name: 'From version' }).fill('1')
  await diff.getByRole('spinbutton', { name: 'To version' }).fill('3')
  const between = diff.getByRole('list', { name: 'Differences from version 1 to version 3' })
  const balance = between.getByRole('listitem').filter({ hasText: /changed\s*_?balance/ })
  await expect(balance).toHaveCount(1)
  await expect(balance).toContainText('10000')
  await expect(balance).toContainText('5000')

  // Snapshots at v3 and v1: the newer matches a replay; the older holds the v1 balance.
  const snapshots = await openTab(page, 'Snapshots')
  const rows = snapshots.getByRole('table').getByRole('row')
  await expect(rows).toHaveCount(3)
  await expect(snapshots.getByRole('rowheader', { name: 'v3' })).toBeVisible()
  await expect(snapshots.getByRole('rowheader', { name: 'v1' })).toBeVisible()
  await snapshots.getByRole('button', { name: 'Compare with replay (snapshot v3)' }).click()
  await expect(snapshots.getByRole('status')).toHaveText(/Matches the state replayed from events/)
  await snapshots.getByRole('button', { name: 'Open (snapshot v1)' }).click()
  const v1 = snapshots.getByRole('tree', { name: 'Snapshot v1 state' })
  await expect(stateItem(v1, 'balance', 10000)).toBeVisible()

  // Activity of this aggregate: its five events.
  const activity = await openTab(page, 'Activity')
  await expect(
    activity.getByRole('img', {
      name: new RegExp(`^Activity of aggregate ${id.slice(0, 8)}: 5 events`),
    }),
  ).toBeVisible()

  // Export (browser mode: Playwright's Electron driver reports no downloads).
  if (target === 'electron') return
  const downloading = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export history' }).click()
  const download = await downloading
  expect(download.suggestedFilename()).toBe(`${id}.history.json`)
  const exported = JSON.parse(await readFile(await download.path(), 'utf8')) as {
    aggregateId: string
    events: Array<{ version: number; type: string; payload: Record<string, unknown> }>
  }
  expect(exported.aggregateId).toBe(id)
  expect(exported.events.map((e) => [e.version, e.type])).toEqual(
    expected.map(([type], version) => [version, type]),
  )
  expect(exported.events[3]?.payload).toMatchObject({ toAccount: payee, amount: 2000 })
})
