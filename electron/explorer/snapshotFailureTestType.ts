/**
 * A test type whose snapshots cannot be taken for a while, as a user's module makes it happen:
 * `keep` applies an instance of a class the type never registered (not in `values`) into the
 * state, or an Invalid Date; its events hold neither, so saves and loads work. `forget` takes it
 * out again, after which snapshots can be taken once more.
 */
import {
  Aggregate,
  AggregateEvent,
  type AggregateInit,
  registerAggregateType,
} from '../eventsourcing'

/** Not registered with the transcoder: a state holding one cannot be encoded. */
export class Forgotten {
  readonly note = 'kept'
}

export class Keeper extends Aggregate {
  static override Created = class Created extends Aggregate.Created {}
  static override AttributeChanged = class AttributeChanged extends Aggregate.AttributeChanged {}
  static override Discarded = class Discarded extends Aggregate.Discarded {}
  static Kept = class Kept extends AggregateEvent<Keeper> {
    declare readonly what: 'instance' | 'invalidDate'
    override apply(obj: Keeper): void {
      obj._kept = this.what === 'instance' ? new Forgotten() : new Date(Number.NaN)
    }
  }
  static Forgot = class Forgot extends AggregateEvent<Keeper> {
    override apply(obj: Keeper): void {
      obj._kept = null
    }
  }
  static Touched = class Touched extends AggregateEvent<Keeper> {
    override apply(obj: Keeper): void {
      obj._touches += 1
    }
  }

  declare _kept: Forgotten | Date | null
  declare _touches: number

  constructor(init: AggregateInit) {
    super(init)
    this._kept = null
    this._touches = 0
  }

  keep(what: 'instance' | 'invalidDate' = 'instance'): void {
    this.trigger(Keeper.Kept, { what })
  }
  forget(): void {
    this.trigger(Keeper.Forgot, {})
  }
  touch(): void {
    this.trigger(Keeper.Touched, {})
  }
}

export const KEEPER = 'snapshotFailureTest#Keeper'

export const keeperType = registerAggregateType<Keeper>({
  topic: KEEPER,
  displayName: 'Keeper (snapshot failure test)',
  aggregate: Keeper,
  events: {
    Created: Keeper.Created,
    AttributeChanged: Keeper.AttributeChanged,
    Discarded: Keeper.Discarded,
    Kept: Keeper.Kept,
    Forgot: Keeper.Forgot,
    Touched: Keeper.Touched,
  },
  create: { label: 'Create keeper', handle: () => Keeper.create({}) },
  commands: {
    keep: { label: 'Keep', handle: (keeper) => keeper.keep() },
    keepInvalidDate: {
      label: 'Keep an invalid date',
      handle: (keeper) => keeper.keep('invalidDate'),
    },
    forget: { label: 'Forget', handle: (keeper) => keeper.forget() },
    touch: { label: 'Touch', handle: (keeper) => keeper.touch() },
  },
})
