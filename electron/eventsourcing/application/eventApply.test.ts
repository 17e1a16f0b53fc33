import { afterEach, describe, expect, test } from 'vitest'
import { TestCounter } from '../../explorer/commandsTestType'
import { EverythingApplication } from '../../example/everythingApplication'
import { createMemoryStore } from '../persistence/recorders/memory'
import { DataIntegrityError, EventApplyFailed } from '../errors'

// A class that can no longer apply its own stored events (a module changed after they were
// stored): simulated by swapping the event's apply for one that throws as such code does.
const original = TestCounter.Incremented.prototype.apply
afterEach(() => {
  TestCounter.Incremented.prototype.apply = original
})

describe('a stored event its class cannot apply', () => {
  test('a replay names the event, its version and its aggregate, and keeps the cause', async () => {
    await using app = new EverythingApplication({ store: createMemoryStore(), snapshotPeriod: 0 })
    const counter = TestCounter.create({ limit: 10 })
    counter.increment(2)
    counter.increment(3)
    await app.save(counter)
    TestCounter.Incremented.prototype.apply = function (this: { who?: { name: string } }) {
      void this.who!.name
    }

    const failure = await app.repository.replay(counter.id).catch((error: unknown) => error)

    expect(failure).toBeInstanceOf(EventApplyFailed)
    expect((failure as Error).message).toBe(
      `the stored event commandsTest#TestCounter.Incremented at version 1 of ${counter.id} could not be applied: Cannot read properties of undefined (reading 'name') (does the loaded class of this event still match the events stored?)`,
    )
    expect((failure as Error).cause).toBeInstanceOf(TypeError)
  })

  test("the library's own errors in an apply pass as they are", async () => {
    await using app = new EverythingApplication({ store: createMemoryStore(), snapshotPeriod: 0 })
    const counter = TestCounter.create({ limit: 10 })
    counter.increment(1)
    await app.save(counter)
    const damaged = new DataIntegrityError('a value the class checks is damaged')
    TestCounter.Incremented.prototype.apply = () => {
      throw damaged
    }
    await expect(app.repository.replay(counter.id)).rejects.toBe(damaged)
  })
})
