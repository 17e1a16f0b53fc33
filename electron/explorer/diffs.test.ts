/**
 * getEventDiff keeps the state before an event apart from the one the event changes in place:
 * by a copy when the copy is shown as the original is, else by a second restore. A state only
 * an event's apply can make (-0, which JSON and so a copy turn into 0) takes the second way,
 * and the diff shows what the event changed, nothing the copy lost.
 */
import { afterEach, describe, expect, test } from 'vitest'
import {
  Aggregate,
  AggregateEvent,
  type AggregateInit,
  registerAggregateType,
} from '../eventsourcing'
import { closeOpenServices, connected } from './serviceTesting'

afterEach(closeOpenServices)

class SignedReading extends Aggregate {
  static override Created = class Created extends Aggregate.Created {}
  static override AttributeChanged = class AttributeChanged extends Aggregate.AttributeChanged {}
  static override Discarded = class Discarded extends Aggregate.Discarded {}
  static Rounded = class Rounded extends AggregateEvent<SignedReading> {
    override apply(obj: SignedReading): void {
      // Math.round(-0.2) is -0: a value a replay makes but no stored state holds.
      obj._reading = Math.round(obj._reading)
    }
  }
  static Noted = class Noted extends AggregateEvent<SignedReading> {
    declare readonly text: string
    override apply(obj: SignedReading): void {
      obj._notes.set(String(obj._notes.size), this.text)
    }
  }

  declare _reading: number
  declare _notes: Map<string, string>

  round(): void {
    this.trigger(SignedReading.Rounded, {})
  }

  note(text: string): void {
    this.trigger(SignedReading.Noted, { text })
  }

  constructor(init: AggregateInit & { reading: number }) {
    super(init)
    this._reading = init.reading
    this._notes = new Map()
  }
}

const SIGNED = 'diffsTest#SignedReading'
registerAggregateType<SignedReading>({
  topic: SIGNED,
  displayName: 'Signed reading',
  aggregate: SignedReading,
  events: {
    Created: SignedReading.Created,
    AttributeChanged: SignedReading.AttributeChanged,
    Discarded: SignedReading.Discarded,
    Rounded: SignedReading.Rounded,
    Noted: SignedReading.Noted,
  },
  create: {
    label: 'Create',
    parameters: {
      type: 'object',
      properties: { reading: { type: 'number', title: 'Reading' } },
      required: ['reading'],
    },
    handle: ({ reading }) => SignedReading.create({ reading: reading as number }),
  },
  commands: {
    round: {
      label: 'Round',
      handle: (r) => r.round(),
    },
    note: {
      label: 'Note',
      parameters: {
        type: 'object',
        properties: { text: { type: 'string', title: 'Text' } },
        required: ['text'],
      },
      handle: (r, { text }) => r.note(text as string),
    },
  },
})

describe('getEventDiff', () => {
  test.each(['memory', 'sqlite'] as const)(
    'a state holding -0 (%s): the change of the next event, and no more',
    async (kind) => {
      // No snapshots: the state before the event is a replay, -0 included.
      const h = await connected(kind, { snapshotPeriod: 0 })
      const { id } = await h.ok('execute', {
        type: SIGNED,
        expectedVersion: -1,
        commands: [{ name: 'create', params: { reading: -0.2 } }],
      })
      await h.ok('execute', { id, expectedVersion: 0, commands: [{ name: 'round', params: {} }] })
      await h.ok('execute', {
        id,
        expectedVersion: 1,
        commands: [{ name: 'note', params: { text: 'checked' } }],
      })
      const diff = await h.ok('getEventDiff', { id, version: 2 })
      expect(diff.map((entry) => entry.path.join('.')).sort()).toEqual([
        '_lastHash',
        '_lastModified',
        '_notes.0',
        '_version',
      ])
      expect(diff).toContainEqual({ path: ['_notes', '0'], kind: 'added', after: 'checked' })
      // The rounding itself: -0.2 became -0.
      expect(await h.ok('getEventDiff', { id, version: 1 })).toContainEqual({
        path: ['_reading'],
        kind: 'changed',
        before: -0.2,
        after: -0,
      })
    },
  )
})
