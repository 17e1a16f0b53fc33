import {
  Aggregate,
  AggregateEvent,
  type AggregateInit,
  attribute,
  topics,
  UUID,
} from '../eventsourcing'
import { Example } from './example'

/** Root entity of the example aggregate: controls a cluster of `Example` entities. */
export class ExampleAggregateRoot extends Aggregate {
  static override Created = class Created extends Aggregate.Created {}
  static override AttributeChanged = class AttributeChanged extends Aggregate.AttributeChanged {}
  static override Discarded = class Discarded extends Aggregate.Discarded {}

  /** Published when an `Example` is created inside the aggregate. */
  static ExampleCreated = class ExampleCreated extends AggregateEvent<ExampleAggregateRoot> {
    declare readonly exampleId: UUID
    override apply(obj: ExampleAggregateRoot): void {
      const entity = new Example(this.exampleId)
      obj._examples.set(entity.id.toString(), entity)
    }
  }

  @attribute foo!: string
  declare _foo: string
  declare _examples: Map<string, Example>

  constructor(init: AggregateInit & { foo: string }) {
    super(init)
    this._foo = init.foo
    this._examples = new Map()
  }

  countExamples(): number {
    return this._examples.size
  }

  get examples(): readonly Example[] {
    return [...this._examples.values()]
  }

  createNewExample(): void {
    this.trigger(ExampleAggregateRoot.ExampleCreated, { exampleId: UUID.v4() })
  }

  /** Discards the aggregate and saves at once (the seed's `discard`). */
  async discard(): Promise<void> {
    this.__discard__()
    await this.save()
  }
}

// Stored topics are forever: never rename these strings.
topics.registerAggregate('example#ExampleAggregateRoot', ExampleAggregateRoot, {
  Created: ExampleAggregateRoot.Created,
  AttributeChanged: ExampleAggregateRoot.AttributeChanged,
  Discarded: ExampleAggregateRoot.Discarded,
  ExampleCreated: ExampleAggregateRoot.ExampleCreated,
})
topics.register('example#Example', Example)
topics.register('eventsourcing#UUID', UUID)
