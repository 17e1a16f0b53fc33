import { Application, type ApplicationOptions } from '../eventsourcing'
import type { ExampleAggregateRoot } from './exampleAggregateRoot'
import { createExampleAggregate } from './factory'

/** The seed's snapshot period. */
export const SEED_SNAPSHOT_PERIOD = 2

/**
 * The seed's EverythingApplication: example aggregates, encrypted events, snapshots every
 * `snapshotPeriod` versions (2 unless told otherwise).
 */
export class EverythingApplication extends Application {
  constructor(options: ApplicationOptions) {
    super({ ...options, snapshotPeriod: options.snapshotPeriod ?? SEED_SNAPSHOT_PERIOD })
  }

  /** The seed's `example_repository`. */
  get exampleRepository(): this['repository'] {
    return this.repository
  }

  /** A new example aggregate bound to this application: its save() stores it here. */
  createExampleAggregate(foo: string): ExampleAggregateRoot {
    return createExampleAggregate(foo).bindSaver(this)
  }
}
