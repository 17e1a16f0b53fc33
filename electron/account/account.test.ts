import { describe, expect, test } from 'vitest'
import { AggregateTypeDescriptor } from '../../shared/commandSchemas'
import {
  type Aggregate,
  aggregateState,
  type DomainEvent,
  DomainError,
  EntityIsDiscarded,
  InvalidCommand,
  JsonTranscoder,
  topics,
} from '../eventsourcing'
import { Account, accountType, demoCommand, demoOpen, RULES, Transfer } from '.'

const OTHER = '0f8fad5b-d9cb-469f-a165-70867728950e'
const T1 = '7c9e6679-7425-40de-944b-e07fc1f90ae7'
const T2 = '1b4e28ba-2fa1-41d2-883f-0016d3cca427'

function opened(overdraftLimit = 0): Account {
  return accountType.run(undefined, [
    { name: 'create', params: { owner: 'Ada', currency: 'EUR', overdraftLimit } },
  ])
}

/** Refused with DomainError `rule`, and nothing triggered, the state unchanged. */
function expectRefused(account: Account, run: () => void, rule: string): DomainError {
  const before = { version: account.version, pending: account.pendingEvents.length }
  const state = new JsonTranscoder().encode(aggregateState(account))
  let caught: unknown
  try {
    run()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(DomainError)
  expect((caught as DomainError).rule).toBe(rule)
  expect({ version: account.version, pending: account.pendingEvents.length }).toEqual(before)
  expect(new JsonTranscoder().encode(aggregateState(account))).toBe(state)
  return caught as DomainError
}

/** Rebuilds an aggregate from events alone, as a replay does. */
function replay(events: readonly DomainEvent[]): Aggregate {
  let aggregate: Aggregate | null = null
  for (const event of events) aggregate = event.mutate(aggregate) as Aggregate
  if (!aggregate) throw new Error('no events')
  return aggregate
}

function topicsOf(account: Account): string[] {
  return account.pendingEvents.map((e) => topics.topicOfInstance(e)!)
}

describe('Account', () => {
  test('open: an Opened event with owner, currency and limit; balance 0, no transfers', () => {
    const account = opened(500)
    expect(topicsOf(account)).toEqual(['bank#Account.Opened'])
    expect(account).toBeInstanceOf(Account)
    expect(account.version).toBe(0)
    expect([account.owner, account.currency, account.overdraftLimit]).toEqual(['Ada', 'EUR', 500])
    expect(account.balance).toBe(0)
    expect(account.transfers).toEqual([])
    expect(account.pendingEvents[0]!.payload()).toMatchObject({
      owner: 'Ada',
      currency: 'EUR',
      overdraftLimit: 500,
    })
  })

  test('open: the overdraft limit defaults to 0 and the currency to EUR', () => {
    const account = accountType.create({ owner: 'Bo' })
    expect([account.currency, account.overdraftLimit]).toEqual(['EUR', 0])
  })

  test('open: the schema refuses an empty or long owner, an unknown currency, a negative or fractional limit', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ owner: '', currency: 'EUR' }, 'owner'],
      [{ owner: 'x'.repeat(201), currency: 'EUR' }, 'owner'],
      [{ owner: 'A', currency: 'CHF' }, 'currency'],
      [{ owner: 'A', currency: 'EUR', overdraftLimit: -1 }, 'overdraftLimit'],
      [{ owner: 'A', currency: 'EUR', overdraftLimit: 1.5 }, 'overdraftLimit'],
      [{ currency: 'EUR' }, 'owner'],
    ]
    for (const [params, parameter] of bad) {
      const error = (() => {
        try {
          accountType.create(params)
        } catch (e) {
          return e
        }
      })()
      expect(error, JSON.stringify(params)).toBeInstanceOf(InvalidCommand)
      expect((error as InvalidCommand).parameter).toBe(parameter)
    }
  })

  test('deposit and withdraw change the balance; a reference is kept only when given', () => {
    const account = accountType.run(opened(), [
      { name: 'deposit', params: { amount: 1000, reference: 'salary' } },
      { name: 'deposit', params: { amount: 50 } },
      { name: 'withdraw', params: { amount: 300 } },
    ])
    expect(account.balance).toBe(750)
    expect(account.version).toBe(3)
    expect(topicsOf(account)).toEqual([
      'bank#Account.Opened',
      'bank#Account.Deposited',
      'bank#Account.Deposited',
      'bank#Account.Withdrawn',
    ])
    const [, first, second, third] = account.pendingEvents
    expect(first!.payload()).toEqual({ amount: 1000, reference: 'salary' })
    expect(second!.payload()).toEqual({ amount: 50 })
    expect(third!.payload()).toEqual({ amount: 300 })
  })

  test('withdraw: allowed down to exactly -overdraftLimit, refused one cent beyond, with balance, amount and limit in the message', () => {
    const account = accountType.run(opened(500), [{ name: 'deposit', params: { amount: 100 } }])
    const error = expectRefused(account, () => account.withdraw(601), RULES.overdraftLimit)
    expect(error.message).toContain('601')
    expect(error.message).toContain('balance is 100')
    expect(error.message).toContain('overdraft limit is 500')
    expect(error.rule).toBe('overdraft-limit')
    account.withdraw(600)
    expect(account.balance).toBe(-500)
    expectRefused(account, () => account.withdraw(1), RULES.overdraftLimit)
  })

  test('withdraw without an overdraft: refused below zero', () => {
    const account = opened()
    expectRefused(account, () => account.withdraw(1), RULES.overdraftLimit)
  })

  test('amounts must be positive whole minor units, also when called directly', () => {
    const account = opened(100)
    for (const bad of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectRefused(account, () => account.deposit(bad), RULES.positiveAmount)
      expectRefused(account, () => account.withdraw(bad), RULES.positiveAmount)
      expectRefused(account, () => account.startTransfer(OTHER, bad), RULES.positiveAmount)
    }
    expectRefused(account, () => account.setOverdraftLimit(-1), RULES.positiveAmount)
    expect(() => Account.open({ owner: 'x', currency: 'USD', overdraftLimit: -1 })).toThrow(
      DomainError,
    )
    expect(() => accountType.run(account, [{ name: 'deposit', params: { amount: 0 } }])).toThrow(
      InvalidCommand,
    )
  })

  test('setOverdraftLimit: changes the limit; refused when the balance is already below -limit', () => {
    const account = accountType.run(opened(1000), [
      { name: 'withdraw', params: { amount: 800 } },
      { name: 'setOverdraftLimit', params: { limit: 800 } },
    ])
    expect(account.overdraftLimit).toBe(800)
    expect(account.pendingEvents.at(-1)!.payload()).toEqual({ limit: 800 })
    const error = expectRefused(account, () => account.setOverdraftLimit(799), RULES.overdraftLimit)
    expect(error.message).toContain('-800')
    account.deposit(800)
    account.setOverdraftLimit(0)
    expect(account.overdraftLimit).toBe(0)
  })

  test('transfers: start debits and adds a pending Transfer; complete keeps the debit; cancel refunds', () => {
    const account = accountType.run(opened(), [
      { name: 'deposit', params: { amount: 1000 } },
      { name: 'startTransfer', params: { toAccount: OTHER, amount: 300, transferId: T1 } },
      { name: 'startTransfer', params: { toAccount: OTHER, amount: 200, transferId: T2 } },
    ])
    expect(account.balance).toBe(500)
    expect(account.pendingTransfers.map((t) => t.id)).toEqual([T1, T2])
    const started = account.transfers[0]!
    expect(started).toBeInstanceOf(Transfer)
    expect(started).toMatchObject({ id: T1, toAccount: OTHER, amount: 300, status: 'pending' })
    expect(started.startedOn).toEqual(account.pendingEvents[2]!.timestamp)
    expect(started.finishedOn).toBeUndefined()

    accountType.run(account, [
      { name: 'completeTransfer', params: { transferId: T1 } },
      { name: 'cancelTransfer', params: { transferId: T2 } },
    ])
    expect(account.balance).toBe(700)
    expect(account.transfers.map((t) => [t.id, t.status])).toEqual([
      [T1, 'completed'],
      [T2, 'cancelled'],
    ])
    expect(account.transfers[0]!.finishedOn).toEqual(account.pendingEvents[4]!.timestamp)
    // The Transfer handed out before is not changed afterwards.
    expect(started.status).toBe('pending')
    expect(topicsOf(account).slice(-4)).toEqual([
      'bank#Account.TransferStarted',
      'bank#Account.TransferStarted',
      'bank#Account.TransferCompleted',
      'bank#Account.TransferCancelled',
    ])
  })

  test('startTransfer without an id makes one; the overdraft rule applies to it', () => {
    const account = opened(100)
    const id = account.startTransfer(OTHER, 100)
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(account.balance).toBe(-100)
    const error = expectRefused(
      account,
      () => account.startTransfer(OTHER, 1),
      RULES.overdraftLimit,
    )
    expect(error.message).toContain('transfer 1')
  })

  test('transfers: refused to itself, with an id already used, and completing or cancelling what is not pending', () => {
    const account = accountType.run(opened(1000), [
      { name: 'startTransfer', params: { toAccount: OTHER, amount: 10, transferId: T1 } },
    ])
    expectRefused(account, () => account.startTransfer(account.id, 10), RULES.transferToSelf)
    expectRefused(account, () => account.startTransfer(OTHER, 10, T1), RULES.duplicateTransfer)
    const missing = expectRefused(
      account,
      () => account.completeTransfer(T2),
      RULES.noPendingTransfer,
    )
    expect(missing.message).toContain('does not exist')
    expectRefused(account, () => account.cancelTransfer(T2), RULES.noPendingTransfer)
    account.completeTransfer(T1)
    const done = expectRefused(account, () => account.cancelTransfer(T1), RULES.noPendingTransfer)
    expect(done.message).toContain('is completed')
    expectRefused(account, () => account.completeTransfer(T1), RULES.noPendingTransfer)
  })

  test('close: refused with a balance or a pending transfer; at 0 with none pending, Closed discards it', () => {
    const account = accountType.run(opened(1000), [{ name: 'deposit', params: { amount: 10 } }])
    expectRefused(account, () => account.close(), RULES.closeBalanceNotZero)
    account.withdraw(20)
    expectRefused(account, () => account.close(), RULES.closeBalanceNotZero)
    account.deposit(10)
    account.startTransfer(OTHER, 5, T1)
    account.deposit(5)
    expect(account.balance).toBe(0)
    const pending = expectRefused(account, () => account.close(), RULES.closeTransferPending)
    expect(pending.message).toContain('1 transfer is pending')
    account.cancelTransfer(T1)
    account.withdraw(5)
    accountType.run(account, [{ name: 'close' }])
    expect(account.isDiscarded).toBe(true)
    expect(account.pendingEvents.at(-1)).toBeInstanceOf(Account.Discarded)
    expect(topicsOf(account).at(-1)).toBe('bank#Account.Closed')
  })

  test('a closed account accepts no command', () => {
    const account = accountType.run(opened(), [{ name: 'close' }])
    const version = account.version
    expect(() => account.deposit(1)).toThrow(EntityIsDiscarded)
    expect(() => accountType.run(account, [{ name: 'deposit', params: { amount: 1 } }])).toThrow(
      EntityIsDiscarded,
    )
    expect(account.version).toBe(version)
  })

  test('run: a refused command stops the run; the commands before it stay applied and pending', () => {
    const account = opened()
    expect(() =>
      accountType.run(account, [
        { name: 'deposit', params: { amount: 100 } },
        { name: 'withdraw', params: { amount: 101 } },
        { name: 'deposit', params: { amount: 7 } },
      ]),
    ).toThrow(DomainError)
    expect(account.balance).toBe(100)
    expect(account.version).toBe(1)
  })

  test('replay: the events alone rebuild the same state, transfers included, and so does the transcoder', () => {
    const account = accountType.run(opened(300), [
      { name: 'deposit', params: { amount: 1000, reference: 'r' } },
      { name: 'withdraw', params: { amount: 1200 } },
      { name: 'setOverdraftLimit', params: { limit: 250 } },
      { name: 'deposit', params: { amount: 500 } },
      { name: 'startTransfer', params: { toAccount: OTHER, amount: 100, transferId: T1 } },
      { name: 'startTransfer', params: { toAccount: OTHER, amount: 50, transferId: T2 } },
      { name: 'completeTransfer', params: { transferId: T1 } },
      { name: 'cancelTransfer', params: { transferId: T2 } },
    ])
    const rebuilt = replay(account.pendingEvents)
    expect(rebuilt).toBeInstanceOf(Account)
    expect(aggregateState(rebuilt)).toEqual(aggregateState(account))
    expect((rebuilt as Account).balance).toBe(200)
    // A snapshot is its enumerable state through the transcoder: Map and Transfer survive.
    const transcoder = new JsonTranscoder()
    const decoded = transcoder.decode(transcoder.encode(aggregateState(account)))
    expect(decoded).toEqual(aggregateState(account))
    const transfers = (decoded as { _transfers: Map<string, Transfer> })._transfers
    expect(transfers).toBeInstanceOf(Map)
    expect(transfers.get(T1)).toBeInstanceOf(Transfer)
    expect(transfers.get(T1)!.startedOn).toBeInstanceOf(Date)
  })

  test('replay of a prefix gives the state as of that version', () => {
    const account = accountType.run(opened(), [
      { name: 'deposit', params: { amount: 10 } },
      { name: 'deposit', params: { amount: 20 } },
      { name: 'withdraw', params: { amount: 5 } },
    ])
    const balances = [0, 1, 2, 3].map(
      (v) => (replay(account.pendingEvents.slice(0, v + 1)) as Account).balance,
    )
    expect(balances).toEqual([0, 10, 30, 25])
  })

  test('demo: 120 steps of each of 7 demo accounts run without a refusal, deterministic, and use every command but close', () => {
    const names = new Set<string>()
    for (let index = 0; index < 7; index++) {
      const account = accountType.create(demoOpen(index))
      for (let step = 1; step <= 120; step++) {
        const command = demoCommand(index, step)
        expect(demoCommand(index, step)).toEqual(command)
        names.add(command.name)
        accountType.run(account, [command])
        expect(account.version).toBe(step)
        expect(account.balance).toBeGreaterThanOrEqual(0)
      }
      expect(account.pendingTransfers).toEqual([])
      expect(account.transfers.length).toBe(20)
    }
    expect([...names].sort()).toEqual(
      Object.keys(accountType.definition.commands)
        .filter((n) => n !== 'close')
        .sort(),
    )
    expect(demoOpen(3)).toEqual(demoOpen(3))
  })

  test('describe(): the commands the explorer offers, in the contract’s shape', () => {
    const description = accountType.describe()
    const parsed = AggregateTypeDescriptor.parse({
      ...description,
      canSeed: true,
      source: 'built-in',
    })
    expect(parsed.topic).toBe('bank#Account')
    expect(parsed.create.parameters.required).toEqual(['owner', 'currency'])
    expect(parsed.commands.map((c) => c.name)).toEqual([
      'deposit',
      'withdraw',
      'setOverdraftLimit',
      'startTransfer',
      'completeTransfer',
      'cancelTransfer',
      'close',
    ])
  })
})
