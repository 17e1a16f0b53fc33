/**
 * The State panel says what kind each value is (shared/displayValue.ts): the example's creation
 * time is a Date, shown as one to the millisecond, its entities a Map of instances keyed by
 * text, their ids UUIDs; a plain string is shown quoted. By roles and accessible names only.
 */
import { mkdir } from 'node:fs/promises'
import { createAggregate, openTab, saveStaged, stageCommand } from './commandsUi'
import { expect, test } from './fixtures'

test('the State panel shows dates, maps, instances and UUIDs as what they are', async ({
  page,
}) => {
  await page.goto('/')
  await createAggregate(page, { foo: '2020-02-29T23:59:59.999Z' })
  const commands = await openTab(page, 'Commands')
  await stageCommand(commands, 'Create example')
  await saveStaged(commands)

  await openTab(page, 'State')
  const state = page.getByRole('tree', { name: 'State' })
  const item = (name: RegExp) => state.getByRole('treeitem', { name })
  // A string that reads like an instant stays a quoted string, every digit kept.
  await expect(item(/^_?foo\s*:\s*"2020-02-29T23:59:59\.999Z"$/)).toBeVisible()
  await expect(item(/^_?createdOn\s*:\s*Date \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}/)).toBeVisible()
  await expect(item(/^_?examples\s*:\s*Map \{ 1 entry \}$/)).toBeVisible()
  // The entity: its key a quoted string (a text key), its value an instance of its type.
  await expect(item(/^"[0-9a-f-]{36}"\s*:\s*example#Example \{ \d+ fields? \}$/)).toBeVisible()
  await mkdir('/tmp/shots', { recursive: true })
  await page.screenshot({ path: '/tmp/shots/typed-state.png', fullPage: true })
})
