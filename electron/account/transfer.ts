export type TransferStatus = 'pending' | 'completed' | 'cancelled'

/**
 * A transfer out of an account: a child entity that lives only inside its Account. Stored in
 * the account's state (snapshots), so its class is registered as a value topic. Replaced, not
 * changed, when its status changes: a Transfer handed out stays what it was.
 */
export class Transfer {
  declare readonly id: string
  /** The account the money goes to (its aggregate id). */
  declare readonly toAccount: string
  /** In minor units (e.g. cents). */
  declare readonly amount: number
  declare readonly status: TransferStatus
  declare readonly startedOn: Date
  /** When it was completed or cancelled; absent while pending. */
  declare readonly finishedOn?: Date

  constructor(init: {
    id: string
    toAccount: string
    amount: number
    status: TransferStatus
    startedOn: Date
    finishedOn?: Date
  }) {
    this.id = init.id
    this.toAccount = init.toAccount
    this.amount = init.amount
    this.status = init.status
    this.startedOn = init.startedOn
    // Absent rather than undefined: the state stays the same through the transcoder.
    if (init.finishedOn !== undefined) this.finishedOn = init.finishedOn
  }

  get isPending(): boolean {
    return this.status === 'pending'
  }

  /** This transfer, finished with `status` at `on`. */
  finish(status: 'completed' | 'cancelled', on: Date): Transfer {
    return new Transfer({ ...this, status, finishedOn: on })
  }
}
