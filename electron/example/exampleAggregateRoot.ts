import {
  Aggregate,
  AggregateEvent,
  type AggregateInit,
  attribute,
  registerAggregateType,
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
export const exampleType = registerAggregateType<ExampleAggregateRoot>({
  topic: 'example#ExampleAggregateRoot',
  displayName: 'Example aggregate',
  description: 'The seed’s aggregate root: a foo attribute and a cluster of Example entities.',
  aggregate: ExampleAggregateRoot,
  events: {
    Created: ExampleAggregateRoot.Created,
    AttributeChanged: ExampleAggregateRoot.AttributeChanged,
    Discarded: ExampleAggregateRoot.Discarded,
    ExampleCreated: ExampleAggregateRoot.ExampleCreated,
  },
  values: { 'example#Example': Example, 'eventsourcing#UUID': UUID },
  create: {
    label: 'Create example aggregate',
    parameters: {
      type: 'object',
      properties: { foo: { type: 'string', title: 'foo', maxLength: 10_000 } },
      required: ['foo'],
    },
    handle: ({ foo }) => ExampleAggregateRoot.create({ foo: foo as string }),
  },
  commands: {
    setFoo: {
      label: 'Set foo',
      parameters: {
        type: 'object',
        properties: { value: { type: 'string', title: 'foo', maxLength: 10_000 } },
        required: ['value'],
      },
      handle: (aggregate, { value }) => {
        aggregate.foo = value as string
      },
    },
    createExample: {
      label: 'Create example',
      description: 'Adds an Example entity to the aggregate’s cluster.',
      handle: (aggregate) => aggregate.createNewExample(),
    },
    discard: {
      label: 'Discard',
      description: 'Discards the aggregate: it accepts no more commands; its history stays.',
      handle: (aggregate) => aggregate.__discard__(),
    },
  },
  demo: {
    create: (index) => ({ foo: `demo ${index}` }),
    command: (_index, step) =>
      step % 5 === 0
        ? { name: 'createExample' }
        : { name: 'setFoo', params: { value: `bar${step}` } },
  },
})
