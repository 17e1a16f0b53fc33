/**
 * A small aggregate type for the command tests: a counter with a domain rule (it never goes
 * above its limit), registered in the default registry like any built-in or user type.
 */
import {
  Aggregate,
  AggregateEvent,
  type AggregateInit,
  DomainError,
  registerAggregateType,
} from '../eventsourcing'

export class TestCounter extends Aggregate {
  static override Created = class Created extends Aggregate.Created {}
  static override AttributeChanged = class AttributeChanged extends Aggregate.AttributeChanged {}
  static override Discarded = class Discarded extends Aggregate.Discarded {}
  static Incremented = class Incremented extends AggregateEvent<TestCounter> {
    declare readonly by: number
    override apply(obj: TestCounter): void {
      obj._count += this.by
    }
  }

  declare _count: number
  declare _limit: number

  constructor(init: AggregateInit & { limit: number }) {
    super(init)
    this._count = 0
    this._limit = init.limit
  }

  increment(by: number): void {
    if (this._count + by > this._limit)
      throw new DomainError(`the counter cannot go above ${this._limit}`, 'counter-limit')
    this.trigger(TestCounter.Incremented, { by })
  }
}

export const TEST_COUNTER = 'commandsTest#TestCounter'

export const testCounterType = registerAggregateType<TestCounter>({
  topic: TEST_COUNTER,
  displayName: 'Test counter',
  aggregate: TestCounter,
  events: {
    Created: TestCounter.Created,
    AttributeChanged: TestCounter.AttributeChanged,
    Discarded: TestCounter.Discarded,
    Incremented: TestCounter.Incremented,
  },
  create: {
    label: 'Create counter',
    parameters: {
      type: 'object',
      properties: { limit: { type: 'integer', title: 'Limit', minimum: 0 } },
      required: ['limit'],
    },
    handle: ({ limit }) => TestCounter.create({ limit: limit as number }),
  },
  commands: {
    increment: {
      label: 'Increment',
      parameters: {
        type: 'object',
        properties: { by: { type: 'integer', title: 'By', exclusiveMinimum: 0 } },
        required: ['by'],
      },
      handle: (counter, { by }) => counter.increment(by as number),
    },
    discard: { label: 'Discard', handle: (counter) => counter.__discard__() },
  },
})
