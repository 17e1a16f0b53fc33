import { ExampleAggregateRoot } from './exampleAggregateRoot'

/**
 * Factory function for the example aggregate (the seed's `create_example_aggregate`). Unbound:
 * store it with `app.save(aggregate)`, or create it with `app.createExampleAggregate`.
 */
export function createExampleAggregate(foo: string): ExampleAggregateRoot {
  return ExampleAggregateRoot.create({ foo })
}
