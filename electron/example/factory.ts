import type { EventBatch, EventBus } from '../eventsourcing'
import { ExampleAggregateRoot } from './exampleAggregateRoot'

/** Factory function for the example aggregate (the seed's `create_example_aggregate`). */
export function createExampleAggregate(
  foo: string,
  options: { bus?: EventBus<EventBatch> } = {},
): ExampleAggregateRoot {
  return ExampleAggregateRoot.create({ foo }, options)
}
