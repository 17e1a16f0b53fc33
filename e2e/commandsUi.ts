/**
 * The generic commands UI from a user's side (roles and accessible names only): create an
 * aggregate of a registered type, stage a type's commands by their labels, save. Field labels
 * are the parameters' titles; the command select is "Command", the buttons Stage, Save,
 * Discard staged, Reload latest (Commands tab) and Reload (each conflict-demo client).
 */
import type { Locator, Page } from '@playwright/test'
import { expect } from '@playwright/test'

/** The aggregate view's region is named "Aggregate <id>". */
export const AGGREGATE_REGION =
  /^Aggregate [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The seed's registered type, by its display name. */
export const EXAMPLE_TYPE = 'Example aggregate'

export type FieldValues = Record<string, string | number | boolean>

/** Fills fields by their labels: text and numbers typed, enums chosen, booleans (un)checked. */
export async function fillFields(scope: Locator, fields: FieldValues): Promise<void> {
  for (const [label, value] of Object.entries(fields)) {
    const field = scope.getByLabel(label, { exact: true })
    if (typeof value === 'boolean') await field.setChecked(value)
    else if ((await field.evaluate((el) => el.tagName)) === 'SELECT')
      await field.selectOption(String(value))
    else await field.fill(String(value))
  }
}

/** Creates an aggregate with the "New aggregate" dialog; returns its id (it is selected). */
export async function createAggregate(
  page: Page,
  fields: FieldValues,
  typeName = EXAMPLE_TYPE,
): Promise<string> {
  await page.getByRole('button', { name: 'New aggregate' }).click()
  const dialog = page.getByRole('dialog', { name: 'New aggregate' })
  await expect(dialog).toBeVisible()
  await dialog.getByRole('combobox', { name: 'Aggregate type' }).selectOption({ label: typeName })
  // The first form is the create command's (the optional staged commands follow it).
  await fillFields(dialog.locator('form').first(), fields)
  await dialog.getByRole('button', { name: 'Create', exact: true }).click()
  await expect(dialog).toHaveCount(0)
  const region = page.getByRole('region', { name: AGGREGATE_REGION })
  await expect(region).toBeVisible()
  const id = (await region.getAttribute('aria-label'))?.replace(/^Aggregate /, '')
  expect(id).toMatch(/^[0-9a-f-]{36}$/)
  return id!
}

export async function openTab(page: Page, name: string): Promise<Locator> {
  const tab = page.getByRole('tab', { name, exact: true })
  await tab.click()
  await expect(tab).toHaveAttribute('aria-selected', 'true')
  return page.getByRole('tabpanel')
}

/**
 * Stages one command (by its label) in `scope` (the Commands tab, or a conflict-demo client)
 * and waits until the staged list has grown by one.
 */
export async function stageCommand(
  scope: Locator,
  command: string,
  fields: FieldValues = {},
): Promise<void> {
  const staged = scope.getByRole('region', { name: /^Staged (commands|by Client [AB]) \(\d+\)$/ })
  const before = Number(
    /\((\d+)\)/.exec((await staged.getByRole('heading').textContent()) ?? '')?.[1],
  )
  const choice = scope.getByRole('combobox', { name: 'Command', exact: true })
  if ((await choice.count()) > 0) await choice.selectOption({ label: command })
  await fillFields(scope.locator('form').first(), fields)
  await scope.getByRole('button', { name: 'Stage', exact: true }).click()
  await expect(staged.getByRole('heading')).toHaveText(new RegExp(`\\(${before + 1}\\)$`))
}

/** The example's "Set foo", staged once per value. */
export async function stageFoo(scope: Locator, ...values: string[]): Promise<void> {
  for (const value of values) await stageCommand(scope, 'Set foo', { foo: value })
}

/** Saves what `scope` staged and waits for the "Saved …" status. */
export async function saveStaged(scope: Locator): Promise<void> {
  await scope.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(scope.getByRole('status').filter({ hasText: /Saved/ })).toBeVisible()
}

/** The Commands tab's expected version (the version the staged commands run on). */
export function expectedVersion(scope: Locator, version: number): Locator {
  return scope.getByText(new RegExp(`Expected version:\\s*${version}\\b`))
}

/**
 * Chooses the type in the "Seed demo data" dialog. A server whose types say none can be seeded
 * shows no choice and seeds its default type (the example).
 */
export async function chooseSeedType(dialog: Locator, typeName = EXAMPLE_TYPE): Promise<void> {
  const select = dialog.getByRole('combobox', { name: 'Aggregate type' })
  if ((await select.count()) > 0) await select.selectOption({ label: typeName })
}

/** A leaf of the State tree (or any JSON tree) by key and shown value; a key may carry a `_`. */
export function stateItem(scope: Page | Locator, key: string, value: string | number): Locator {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value)
  const escaped = `${key}: ${shown}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return scope.getByRole('treeitem', { name: new RegExp(`^_?${escaped}$`) })
}

/** The scrubber's status: "as of version N of M". */
export function shownAs(page: Page, version: number, latest: number): Locator {
  return page
    .getByRole('group', { name: 'Time travel' })
    .getByRole('status')
    .filter({ hasText: `as of version ${version} of ${latest}` })
}

/** The Timeline's row of one version. */
export function eventRow(page: Page, version: number): Locator {
  return page
    .getByRole('table', { name: 'Events' })
    .getByRole('row', { name: new RegExp(`^v${version}\\b`) })
}

/** Sets the list's type filter by display name ('' or "All types" for none). */
export async function filterListByType(page: Page, typeName: string): Promise<void> {
  await page
    .getByRole('region', { name: 'Aggregates' })
    .getByRole('combobox', { name: 'Aggregate type' })
    .selectOption({ label: typeName })
}

/** The list's option for one aggregate. */
export function listOption(page: Page, id: string): Locator {
  return page
    .getByRole('listbox', { name: 'Aggregates' })
    .getByRole('option', { name: new RegExp(id) })
}

/**
 * Stages a command the aggregate's rules refuse: the alert names the rule's message and the
 * staged list does not grow.
 */
export async function stageRefused(
  scope: Locator,
  command: string,
  fields: FieldValues,
  message: string | RegExp,
): Promise<void> {
  const staged = scope.getByRole('region', { name: /^Staged (commands|by Client [AB]) \(\d+\)$/ })
  const before = (await staged.getByRole('heading').textContent()) ?? ''
  const choice = scope.getByRole('combobox', { name: 'Command', exact: true })
  if ((await choice.count()) > 0) await choice.selectOption({ label: command })
  await fillFields(scope.locator('form').first(), fields)
  await scope.getByRole('button', { name: 'Stage', exact: true }).click()
  const alert = scope.getByRole('alert').filter({ hasText: 'Not staged' })
  await expect(alert).toContainText('Not staged: The aggregate refused the command')
  await expect(alert).toContainText(message)
  await expect(staged.getByRole('heading')).toHaveText(before)
}
