import { randomUUID } from 'node:crypto'
import { Aggregate, AggregateEvent, type AggregateInit, DomainError } from '../eventsourcing'
import { Transfer } from './transfer'

export const CURRENCIES = ['EUR', 'USD', 'GBP'] as const
export type Currency = (typeof CURRENCIES)[number]

/** Stable names of the rules that refuse commands (DomainError.rule). */
export const RULES = {
  overdraftLimit: 'overdraft-limit',
  positiveAmount: 'positive-amount',
  noPendingTransfer: 'no-pending-transfer',
  duplicateTransfer: 'duplicate-transfer',
  transferToSelf: 'transfer-to-self',
  closeBalanceNotZero: 'close-balance-not-zero',
  closeTransferPending: 'close-transfer-pending',
} as const

export interface OpenAccount {
  readonly owner: string
  readonly currency: Currency
  /** How far below zero the balance may go, in minor units (0: no overdraft). */
  readonly overdraftLimit: number
}

/**
 * A bank account. Amounts are integers in minor units (cents, pence) so that sums are exact.
 * The balance may go below zero down to -overdraftLimit and no further; transfers out are
 * child entities, debited when started and refunded when cancelled.
 */
export class Account extends Aggregate {
  /** Opening the account: its Created event. */
  static override Created = class Opened extends Aggregate.Created {
    declare readonly owner: string
    declare readonly currency: Currency
    declare readonly overdraftLimit: number
  }

  /** Closing the account: its Discarded event (a closed account accepts no commands). */
  static override Discarded = class Closed extends Aggregate.Discarded {}

  static Deposited = class Deposited extends AggregateEvent<Account> {
    declare readonly amount: number
    declare readonly reference?: string
    override apply(obj: Account): void {
      obj._balance += this.amount
    }
  }

  static Withdrawn = class Withdrawn extends AggregateEvent<Account> {
    declare readonly amount: number
    override apply(obj: Account): void {
      obj._balance -= this.amount
    }
  }

  static OverdraftLimitChanged = class OverdraftLimitChanged extends AggregateEvent<Account> {
    declare readonly limit: number
    override apply(obj: Account): void {
      obj._overdraftLimit = this.limit
    }
  }

  static TransferStarted = class TransferStarted extends AggregateEvent<Account> {
    declare readonly transferId: string
    declare readonly toAccount: string
    declare readonly amount: number
    override apply(obj: Account): void {
      // The event's own timestamp is the start: no second clock reading to disagree with it.
      const transfer = new Transfer({
        id: this.transferId,
        toAccount: this.toAccount,
        amount: this.amount,
        status: 'pending',
        startedOn: this.timestamp,
      })
      obj._transfers.set(transfer.id, transfer)
      obj._balance -= this.amount
    }
  }

  static TransferCompleted = class TransferCompleted extends AggregateEvent<Account> {
    declare readonly transferId: string
    override apply(obj: Account): void {
      const transfer = obj.pendingTransfer(this.transferId)
      obj._transfers.set(transfer.id, transfer.finish('completed', this.timestamp))
    }
  }

  static TransferCancelled = class TransferCancelled extends AggregateEvent<Account> {
    declare readonly transferId: string
    override apply(obj: Account): void {
      const transfer = obj.pendingTransfer(this.transferId)
      obj._transfers.set(transfer.id, transfer.finish('cancelled', this.timestamp))
      obj._balance += transfer.amount
    }
  }

  declare _owner: string
  declare _currency: Currency
  declare _overdraftLimit: number
  declare _balance: number
  declare _transfers: Map<string, Transfer>

  constructor(init: AggregateInit & OpenAccount) {
    super(init)
    this._owner = init.owner
    this._currency = init.currency
    this._overdraftLimit = init.overdraftLimit
    this._balance = 0
    this._transfers = new Map()
  }

  /** Opens an account: the Opened event is pending until saved. */
  static open(fields: OpenAccount): Account {
    checkAmount(fields.overdraftLimit, 'overdraft limit', true)
    return Account.create(fields)
  }

  get owner(): string {
    return this._owner
  }
  get currency(): Currency {
    return this._currency
  }
  get overdraftLimit(): number {
    return this._overdraftLimit
  }
  /** In minor units; negative while overdrawn. */
  get balance(): number {
    return this._balance
  }
  /** Every transfer ever started, in the order started. */
  get transfers(): readonly Transfer[] {
    return [...this._transfers.values()]
  }
  get pendingTransfers(): readonly Transfer[] {
    return this.transfers.filter((t) => t.isPending)
  }

  deposit(amount: number, reference?: string): void {
    checkAmount(amount, 'amount')
    this.trigger(Account.Deposited, { amount, ...(reference === undefined ? {} : { reference }) })
  }

  withdraw(amount: number): void {
    checkAmount(amount, 'amount')
    this.checkDebit(amount, 'withdraw')
    this.trigger(Account.Withdrawn, { amount })
  }

  setOverdraftLimit(limit: number): void {
    checkAmount(limit, 'overdraft limit', true)
    if (this._balance < -limit) {
      throw new DomainError(
        `The overdraft limit cannot be ${limit}: the balance is already ${this._balance} (amounts in minor units).`,
        RULES.overdraftLimit,
      )
    }
    this.trigger(Account.OverdraftLimitChanged, { limit })
  }

  /** Starts a transfer out (debited now) and returns its id. */
  startTransfer(toAccount: string, amount: number, transferId: string = randomUUID()): string {
    checkAmount(amount, 'amount')
    if (toAccount === this.id) {
      throw new DomainError('An account cannot transfer to itself.', RULES.transferToSelf)
    }
    if (this._transfers.has(transferId)) {
      throw new DomainError(`Transfer ${transferId} exists already.`, RULES.duplicateTransfer)
    }
    this.checkDebit(amount, 'transfer')
    this.trigger(Account.TransferStarted, { transferId, toAccount, amount })
    return transferId
  }

  completeTransfer(transferId: string): void {
    this.pendingTransfer(transferId)
    this.trigger(Account.TransferCompleted, { transferId })
  }

  /** Cancels a pending transfer: its amount comes back to the balance. */
  cancelTransfer(transferId: string): void {
    this.pendingTransfer(transferId)
    this.trigger(Account.TransferCancelled, { transferId })
  }

  /** Closes the account (Closed, its Discarded event): only at balance 0, nothing pending. */
  close(): void {
    if (this._balance !== 0) {
      throw new DomainError(
        `The account cannot be closed while its balance is ${this._balance} (it must be 0).`,
        RULES.closeBalanceNotZero,
      )
    }
    const pending = this.pendingTransfers.length
    if (pending > 0) {
      throw new DomainError(
        `The account cannot be closed while ${pending} transfer${pending === 1 ? ' is' : 's are'} pending.`,
        RULES.closeTransferPending,
      )
    }
    this.__discard__()
  }

  /** The pending transfer `transferId`, else DomainError. */
  pendingTransfer(transferId: string): Transfer {
    const transfer = this._transfers.get(transferId)
    if (!transfer?.isPending) {
      const why = transfer ? `is ${transfer.status}` : 'does not exist'
      throw new DomainError(
        `Transfer ${transferId} ${why}: only a pending transfer can be completed or cancelled.`,
        RULES.noPendingTransfer,
      )
    }
    return transfer
  }

  /** Refuses a debit that would take the balance below -overdraftLimit. */
  private checkDebit(amount: number, what: 'withdraw' | 'transfer'): void {
    if (this._balance - amount < -this._overdraftLimit) {
      throw new DomainError(
        `Cannot ${what} ${amount}: the balance is ${this._balance} and the overdraft limit is ${this._overdraftLimit}, so the balance may not go below ${this._overdraftLimit === 0 ? '0' : `-${this._overdraftLimit}`} (amounts in minor units).`,
        RULES.overdraftLimit,
      )
    }
  }
}

/** Amounts are whole minor units: positive, or ≥ 0 for a limit. Checked here too, not only by a form. */
function checkAmount(value: number, name: string, zeroAllowed = false): void {
  if (!Number.isSafeInteger(value) || value < 0 || (!zeroAllowed && value === 0)) {
    throw new DomainError(
      `The ${name} must be a whole number of minor units ${zeroAllowed ? 'of at least 0' : 'above 0'}, not ${value}.`,
      RULES.positiveAmount,
    )
  }
}
