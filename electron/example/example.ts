import type { UUID } from '../eventsourcing'

/** Example entity: exists only inside an ExampleAggregateRoot (the seed's `Example`). */
export class Example {
  declare private readonly _id: UUID

  constructor(exampleId: UUID) {
    this._id = exampleId
  }

  get id(): UUID {
    return this._id
  }
}
