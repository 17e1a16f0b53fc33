import {
  type CommandRequest,
  type NumberField,
  registerAggregateType,
  type StringField,
} from '../eventsourcing'
import { Account, CURRENCIES, type Currency } from './account'
import { Transfer } from './transfer'

const amount = (title: string): NumberField => ({
  type: 'integer',
  title,
  description: 'Whole minor units: cents or pence (1050 is 10.50).',
  exclusiveMinimum: 0,
})

const limit: NumberField = {
  type: 'integer',
  title: 'Overdraft limit (minor units)',
  description: 'How far below zero the balance may go, in cents or pence; 0: no overdraft.',
  minimum: 0,
}

const transferId: StringField = {
  type: 'string',
  title: 'Transfer id',
  description: 'The id of a pending transfer of this account.',
  format: 'uuid',
}

// Stored topics are forever: never rename these strings (the event names included).
export const accountType = registerAggregateType<Account>({
  topic: 'bank#Account',
  displayName: 'Account',
  description:
    'A bank account: deposits, withdrawals down to an overdraft limit, and transfers out. Amounts are whole minor units (cents).',
  aggregate: Account,
  events: {
    Opened: Account.Created,
    Deposited: Account.Deposited,
    Withdrawn: Account.Withdrawn,
    OverdraftLimitChanged: Account.OverdraftLimitChanged,
    TransferStarted: Account.TransferStarted,
    TransferCompleted: Account.TransferCompleted,
    TransferCancelled: Account.TransferCancelled,
    Closed: Account.Discarded,
  },
  values: { 'bank#Transfer': Transfer },
  create: {
    label: 'Open account',
    parameters: {
      type: 'object',
      properties: {
        owner: { type: 'string', title: 'Owner', minLength: 1, maxLength: 200 },
        currency: { type: 'string', title: 'Currency', enum: CURRENCIES, default: 'EUR' },
        overdraftLimit: { ...limit, default: 0 },
      },
      required: ['owner', 'currency'],
    },
    handle: (p) =>
      Account.open({
        owner: p['owner'] as string,
        currency: p['currency'] as Currency,
        overdraftLimit: p['overdraftLimit'] as number,
      }),
  },
  commands: {
    deposit: {
      label: 'Deposit',
      parameters: {
        type: 'object',
        properties: {
          amount: amount('Amount (minor units)'),
          reference: { type: 'string', title: 'Reference', maxLength: 200 },
        },
        required: ['amount'],
      },
      handle: (account, p) =>
        account.deposit(p['amount'] as number, p['reference'] as string | undefined),
    },
    withdraw: {
      label: 'Withdraw',
      description: 'Refused if the balance would go below minus the overdraft limit.',
      parameters: {
        type: 'object',
        properties: { amount: amount('Amount (minor units)') },
        required: ['amount'],
      },
      handle: (account, p) => account.withdraw(p['amount'] as number),
    },
    setOverdraftLimit: {
      label: 'Set overdraft limit',
      description: 'Refused if the balance is already below minus the new limit.',
      parameters: { type: 'object', properties: { limit }, required: ['limit'] },
      handle: (account, p) => account.setOverdraftLimit(p['limit'] as number),
    },
    startTransfer: {
      label: 'Start transfer',
      description:
        'Debits the amount now (under the overdraft rule) and adds a pending transfer; complete or cancel it later.',
      parameters: {
        type: 'object',
        properties: {
          toAccount: {
            type: 'string',
            title: 'To account',
            description: 'The id of the receiving account.',
            format: 'uuid',
          },
          amount: amount('Amount (minor units)'),
          transferId: {
            ...transferId,
            description: 'Optional: the new transfer’s id (a fresh one when left out).',
          },
        },
        required: ['toAccount', 'amount'],
      },
      handle: (account, p) => {
        account.startTransfer(
          p['toAccount'] as string,
          p['amount'] as number,
          p['transferId'] as string | undefined,
        )
      },
    },
    completeTransfer: {
      label: 'Complete transfer',
      parameters: { type: 'object', properties: { transferId }, required: ['transferId'] },
      handle: (account, p) => account.completeTransfer(p['transferId'] as string),
    },
    cancelTransfer: {
      label: 'Cancel transfer',
      description: 'The amount comes back to the balance.',
      parameters: { type: 'object', properties: { transferId }, required: ['transferId'] },
      handle: (account, p) => account.cancelTransfer(p['transferId'] as string),
    },
    close: {
      label: 'Close account',
      description:
        'Only with a balance of 0 and no pending transfer; a closed account accepts no more commands.',
      handle: (account) => account.close(),
    },
  },
  demo: { create: demoOpen, command: demoCommand },
})

const OWNERS = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov']

/** Demo account `index`: its owner, currency and overdraft limit. */
export function demoOpen(index: number): Record<string, unknown> {
  return {
    owner: `${OWNERS[index % OWNERS.length]!} ${Math.floor(index / OWNERS.length) + 1}`,
    currency: CURRENCIES[index % CURRENCIES.length]!,
    overdraftLimit: (index % 3) * 5000,
  }
}

/** A deterministic UUID for demo transfer `round` of demo account `index`. */
export function demoUuid(kind: 'transfer' | 'account', index: number, round: number): string {
  const hex = (n: number): string => (n % 0x1000000).toString(16).padStart(6, '0')
  return `${kind === 'transfer' ? '7' : 'a'}0000000-0000-4000-8000-${hex(index)}${hex(round)}`
}

/**
 * The command of event `step` of demo account `index`, in rounds of six: deposit a, withdraw
 * a/2, start a transfer of a/4, complete it (every third round: cancel it), deposit a little,
 * then withdraw less than that or change the overdraft limit. Each step leaves the balance at
 * least where the round started (≥ 0), so the overdraft rule never refuses one.
 */
export function demoCommand(index: number, step: number): CommandRequest {
  const round = Math.floor((step - 1) / 6)
  const a = 10_000 + ((index * 37 + round * 101) % 5000)
  const small = 250 + ((index + round) % 50)
  const id = demoUuid('transfer', index, round)
  switch ((step - 1) % 6) {
    case 0:
      return { name: 'deposit', params: { amount: a, reference: `salary ${round + 1}` } }
    case 1:
      return { name: 'withdraw', params: { amount: Math.floor(a / 2) } }
    case 2:
      return {
        name: 'startTransfer',
        params: {
          toAccount: demoUuid('account', index + 1, round),
          amount: Math.floor(a / 4),
          transferId: id,
        },
      }
    case 3:
      return {
        name: round % 3 === 2 ? 'cancelTransfer' : 'completeTransfer',
        params: { transferId: id },
      }
    case 4:
      return { name: 'deposit', params: { amount: small } }
    default:
      return round % 2 === 0
        ? { name: 'withdraw', params: { amount: small - 50 } }
        : { name: 'setOverdraftLimit', params: { limit: ((index + round) % 4) * 2500 } }
  }
}
