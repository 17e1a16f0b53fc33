import { describe, expect, test } from 'vitest'
import { Aggregate, AggregateEvent, type AggregateInit } from '../domain/aggregate'
import { topics } from '../domain/topics'
import { ConfigurationError, DomainError, EntityIsDiscarded, InvalidCommand } from '../errors'
import {
  type AggregateTypeDefinition,
  AggregateTypeRegistry,
  aggregateTypes,
  CREATE_COMMAND,
  registerAggregateType,
} from './aggregateTypes'
import { NO_PARAMETERS } from './parameters'

/** A fresh counter class each call: topics bind classes, so each registration gets its own. */
function makeCounter() {
  class Counter extends Aggregate {
    static override Created = class Created extends Aggregate.Created {
      declare readonly start: number
    }
    static override Discarded = class Discarded extends Aggregate.Discarded {}
    static Incremented = class Incremented extends AggregateEvent<Counter> {
      declare readonly by: number
      override apply(obj: Counter): void {
        obj._count += this.by
      }
    }
    declare _count: number
    constructor(init: AggregateInit & { start: number }) {
      super(init)
      this._count = init.start
    }
    increment(by: number): void {
      if (this._count + by > 10) throw new DomainError('a counter stops at 10', 'max-10')
      this.trigger(Counter.Incremented, { by })
    }
  }
  return Counter
}
type CounterClass = ReturnType<typeof makeCounter>
type Counter = InstanceType<CounterClass>

class Tag {
  constructor(readonly label: string) {}
}

let serial = 0

/** A counter type definition under a fresh topic; `calls` records the commands handled. */
function counterDefinition(
  cls: CounterClass = makeCounter(),
  calls: string[] = [],
): AggregateTypeDefinition<Counter> {
  serial += 1
  return {
    topic: `test#Counter${serial}`,
    displayName: 'Counter',
    aggregate: cls,
    events: { Created: cls.Created, Incremented: cls.Incremented, Discarded: cls.Discarded },
    values: { [`test#Tag${serial}`]: class extends Tag {} },
    create: {
      label: 'Create counter',
      parameters: {
        type: 'object',
        properties: { start: { type: 'integer', title: 'Start', minimum: 0, default: 0 } },
      },
      handle: (p) => {
        calls.push('create')
        return cls.create({ start: p['start'] as number })
      },
    },
    commands: {
      increment: {
        label: 'Increment',
        description: 'Adds to the count (at most 10).',
        parameters: {
          type: 'object',
          properties: { by: { type: 'integer', title: 'By', exclusiveMinimum: 0 } },
          required: ['by'],
        },
        handle: (counter, p) => {
          calls.push(`increment ${String(p['by'])}`)
          counter.increment(p['by'] as number)
        },
      },
      discard: {
        label: 'Discard',
        handle: (counter) => {
          calls.push('discard')
          counter.__discard__()
        },
      },
    },
  }
}

function thrown(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

describe('AggregateTypeRegistry.register', () => {
  test('registers the aggregate, its events as <topic>.<Name> and its values', () => {
    const registry = new AggregateTypeRegistry()
    const definition = counterDefinition()
    const type = registry.register(definition)
    expect(type.topic).toBe(definition.topic)
    expect(type.displayName).toBe('Counter')
    expect(topics.resolve(definition.topic)).toBe(definition.aggregate)
    expect(topics.resolve(`${definition.topic}.Incremented`)).toBe(definition.events['Incremented'])
    const [valueTopic, valueClass] = Object.entries(definition.values!)[0]!
    expect(topics.resolve(valueTopic)).toBe(valueClass)
    expect(registry.get(definition.topic)).toBe(type)
    expect(registry.has(definition.topic)).toBe(true)
    expect(registry.has('test#Nothing')).toBe(false)
    expect(registry.list()).toEqual([type])
  })

  test('registering the same class again is a no-op that returns the registered type', () => {
    const registry = new AggregateTypeRegistry()
    const definition = counterDefinition()
    const first = registry.register(definition)
    expect(registry.register({ ...definition, displayName: 'Other name' })).toBe(first)
    expect(registry.list()).toHaveLength(1)
  })

  test('another class under a registered topic is refused; the first stays', () => {
    const registry = new AggregateTypeRegistry()
    const definition = counterDefinition()
    const first = registry.register(definition)
    const other = { ...counterDefinition(), topic: definition.topic }
    expect(() => registry.register(other)).toThrow(ConfigurationError)
    expect(registry.get(definition.topic)).toBe(first)
    expect(topics.resolve(definition.topic)).toBe(definition.aggregate)
  })

  test("a command named 'create' is refused: it is the creation's reserved name", () => {
    const registry = new AggregateTypeRegistry()
    const definition = counterDefinition()
    const bad = {
      ...definition,
      commands: { ...definition.commands, [CREATE_COMMAND]: definition.commands['discard']! },
    }
    expect(() => registry.register(bad)).toThrow(/reserved/)
    expect(registry.has(definition.topic)).toBe(false)
    expect(topics.has(definition.topic)).toBe(false)
  })

  test('a type whose classes clash with registered topics leaves nothing registered, so the corrected one registers', () => {
    const registry = new AggregateTypeRegistry()
    const taken = counterDefinition()
    registry.register(taken)
    const cls = makeCounter()
    // Its Incremented event is another type's class: refused before anything is registered.
    const clashing = counterDefinition(cls)
    const bad = {
      ...clashing,
      events: { ...clashing.events, Incremented: taken.events['Incremented']! },
    }
    const error = thrown(() => registry.register(bad))
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as Error).message).toContain('already registered as')
    expect(topics.has(bad.topic)).toBe(false)
    expect(topics.has(`${bad.topic}.Created`)).toBe(false)
    expect(registry.register(clashing).topic).toBe(clashing.topic)
  })

  test('one class given under two topics is refused before anything is registered', () => {
    const registry = new AggregateTypeRegistry()
    const definition = counterDefinition()
    const bad = {
      ...definition,
      events: { ...definition.events, Again: definition.events['Incremented']! },
    }
    expect(() => registry.register(bad)).toThrow(/given as both/)
    expect(topics.has(definition.topic)).toBe(false)
  })

  test('a type without its Created class among its events is refused', () => {
    const registry = new AggregateTypeRegistry()
    const definition = counterDefinition()
    const { Created: _created, ...events } = definition.events
    expect(() => registry.register({ ...definition, events })).toThrow(/Created/)
  })

  test('a parameter schema with a required typo or a bad default is refused at registration', () => {
    const registry = new AggregateTypeRegistry()
    const definition = counterDefinition()
    const increment = definition.commands['increment']!
    const typo = {
      ...definition,
      commands: {
        increment: { ...increment, parameters: { ...increment.parameters!, required: ['bye'] } },
      },
    }
    expect(() => registry.register(typo)).toThrow(/Counter: increment: required parameter 'bye'/)
    const badDefault = {
      ...definition,
      create: {
        ...definition.create,
        parameters: {
          type: 'object' as const,
          properties: { start: { type: 'integer' as const, title: 'Start', default: 0.5 } },
        },
      },
    }
    expect(() => registry.register(badDefault)).toThrow(ConfigurationError)
    expect(registry.has(definition.topic)).toBe(false)
  })

  test('typeOf: the registered type of an instance; registerAggregateType uses the default registry', () => {
    const registry = new AggregateTypeRegistry()
    const definition = counterDefinition()
    const type = registry.register(definition)
    const counter = type.create({})
    expect(registry.typeOf(counter)).toBe(type)
    expect(new AggregateTypeRegistry().typeOf(counter)).toBeUndefined()
    const global = registerAggregateType(counterDefinition())
    expect(aggregateTypes.get(global.topic)).toBe(global)
  })
})

describe('AggregateType', () => {
  test('describe(): plain JSON data, create first as "create", commands in order, no parameters as an empty schema', () => {
    const type = new AggregateTypeRegistry().register(counterDefinition())
    const description = type.describe()
    expect(JSON.parse(JSON.stringify(description))).toStrictEqual(description)
    expect(description.create.name).toBe('create')
    expect(description.create.label).toBe('Create counter')
    expect(description.commands.map((c) => c.name)).toEqual(['increment', 'discard'])
    expect(description.commands[0]!.description).toBe('Adds to the count (at most 10).')
    expect('description' in description.commands[1]!).toBe(false)
    expect('description' in description).toBe(false)
    expect(description.commands[1]!.parameters).toEqual(NO_PARAMETERS)
    expect(new AggregateTypeRegistry().describe()).toEqual([])
  })

  test('describe(): changing the description does not change what is checked', () => {
    const type = new AggregateTypeRegistry().register(counterDefinition())
    const description = type.describe()
    const by = description.commands[0]!.parameters.properties['by'] as { exclusiveMinimum?: number }
    by.exclusiveMinimum = -100
    const counter = type.create({})
    expect(() => type.run(counter, [{ name: 'increment', params: { by: 0 } }])).toThrow(
      InvalidCommand,
    )
  })

  test('create(): checks the parameters, fills the defaults, returns the aggregate with its Created pending', () => {
    const type = new AggregateTypeRegistry().register(counterDefinition())
    const counter = type.create({})
    expect(counter._count).toBe(0)
    expect(counter.pendingEvents).toHaveLength(1)
    expect(type.create({ start: 4 })._count).toBe(4)
    expect(() => type.create({ start: -1 })).toThrow(InvalidCommand)
    expect(() => type.create({ begin: 1 })).toThrow(InvalidCommand)
  })

  test('run(): create then commands, in order', () => {
    const calls: string[] = []
    const type = new AggregateTypeRegistry().register(counterDefinition(makeCounter(), calls))
    const counter = type.run(undefined, [
      { name: 'create', params: { start: 1 } },
      { name: 'increment', params: { by: 2 } },
      { name: 'increment', params: { by: 3 } },
    ])
    expect(calls).toEqual(['create', 'increment 2', 'increment 3'])
    expect(counter._count).toBe(6)
    expect(counter.version).toBe(2)
    expect(type.run(counter, [])).toBe(counter)
  })

  test('run(): every command is checked before any runs', () => {
    const calls: string[] = []
    const type = new AggregateTypeRegistry().register(counterDefinition(makeCounter(), calls))
    const counter = type.create({})
    calls.length = 0
    const cases: Array<[unknown[], string | undefined]> = [
      [
        [
          { name: 'increment', params: { by: 1 } },
          { name: 'increment', params: { by: 0 } },
        ],
        'by',
      ],
      [[{ name: 'increment', params: { by: 1 } }, { name: 'increment' }], 'by'],
      [[{ name: 'increment', params: { by: 1 } }, { name: 'decrement' }], undefined],
      [[{ name: 'increment', params: { by: 1 } }, { name: 'toString' }], undefined],
      [[{ name: 'discard' }, { name: 'discard', params: { now: true } }], 'now'],
    ]
    for (const [commands, parameter] of cases) {
      const error = thrown(() => type.run(counter, commands as never))
      expect(error, JSON.stringify(commands)).toBeInstanceOf(InvalidCommand)
      expect((error as InvalidCommand).parameter).toBe(parameter)
    }
    expect(calls).toEqual([])
    expect(counter.version).toBe(0)
  })

  test("run(): 'create' only as the first command of a new aggregate", () => {
    const calls: string[] = []
    const type = new AggregateTypeRegistry().register(counterDefinition(makeCounter(), calls))
    const counter = type.create({})
    calls.length = 0
    expect(() => type.run(counter, [{ name: 'create' }])).toThrow(/first command/)
    expect(() => type.run(undefined, [{ name: 'create' }, { name: 'create' }])).toThrow(
      /first command/,
    )
    expect(() =>
      type.run(undefined, [{ name: 'increment', params: { by: 1 } }, { name: 'create' }]),
    ).toThrow(/first command/)
    expect(() => type.run(undefined, [{ name: 'increment', params: { by: 1 } }])).toThrow(
      /no aggregate/,
    )
    expect(() => type.run(undefined, [])).toThrow(InvalidCommand)
    expect(calls).toEqual([])
  })

  test('run(): a DomainError stops the run and propagates', () => {
    const calls: string[] = []
    const type = new AggregateTypeRegistry().register(counterDefinition(makeCounter(), calls))
    const counter = type.create({ start: 5 })
    calls.length = 0
    const error = thrown(() =>
      type.run(counter, [
        { name: 'increment', params: { by: 5 } },
        { name: 'increment', params: { by: 1 } },
        { name: 'increment', params: { by: 2 } },
      ]),
    )
    expect(error).toBeInstanceOf(DomainError)
    expect((error as DomainError).rule).toBe('max-10')
    expect(calls).toEqual(['increment 5', 'increment 1'])
    expect(counter._count).toBe(10)
  })

  test('run(): a discarded aggregate refuses every command, and none is handled', () => {
    const calls: string[] = []
    const type = new AggregateTypeRegistry().register(counterDefinition(makeCounter(), calls))
    const counter = type.run(undefined, [{ name: 'create' }, { name: 'discard' }])
    expect(counter.isDiscarded).toBe(true)
    calls.length = 0
    expect(() => type.run(counter, [{ name: 'increment', params: { by: 1 } }])).toThrow(
      EntityIsDiscarded,
    )
    expect(() => type.run(counter, [{ name: 'discard' }])).toThrow(EntityIsDiscarded)
    expect(calls).toEqual([])
    expect(counter.version).toBe(1)
  })
})

describe('aggregate types: the exact messages a user reads', () => {
  const message = (run: () => unknown): string => (thrown(run) as Error).message

  test('refused commands name the type, the command and the parameter', () => {
    const type = new AggregateTypeRegistry().register(counterDefinition())
    const counter = type.create({})

    expect(message(() => type.create({ start: -1 }))).toBe(
      'Counter: create: Start must be at least 0',
    )
    expect(message(() => type.run(undefined, []))).toBe(
      'no commands to run and no aggregate to run them on',
    )
    expect(message(() => type.run(undefined, [{ name: 'create', params: { start: 'x' } }]))).toBe(
      'Counter: create: Start must be a number',
    )
    expect(message(() => type.run(counter, [{ name: 'nope' }]))).toBe(
      "Counter has no command 'nope'",
    )
    expect(message(() => type.run(counter, [{ name: 'increment', params: {} }]))).toBe(
      'Counter: increment: By is required',
    )
  })

  test('refused registrations say why', () => {
    const registry = new AggregateTypeRegistry()
    const definition = counterDefinition()
    registry.register(definition)
    expect(
      message(() => registry.register({ ...counterDefinition(), topic: definition.topic })),
    ).toBe(`aggregate type '${definition.topic}' is already registered with another class`)

    const badCreate = counterDefinition()
    const withBadSchema = {
      ...badCreate,
      create: {
        ...badCreate.create,
        parameters: { type: 'list' } as unknown as typeof NO_PARAMETERS,
      },
    }
    expect(message(() => registry.register(withBadSchema))).toBe(
      "Counter: create: parameters must be { type: 'object', properties }",
    )

    const taken = `test#TakenTag${serial}`
    topics.register(taken, class extends Tag {})
    const clashing = { ...counterDefinition(), values: { [taken]: class extends Tag {} } }
    expect(message(() => registry.register(clashing))).toBe(
      `aggregate type '${clashing.topic}' cannot be registered: topic '${taken}' is already registered for another class`,
    )
    expect(registry.has(clashing.topic)).toBe(false)
    // Checked before anything is registered: not even the aggregate's own topic is left behind.
    expect(topics.has(clashing.topic)).toBe(false)
  })

  test('a type already in the shared topic registry registers in a second type registry', () => {
    const definition = counterDefinition()
    new AggregateTypeRegistry().register(definition)

    const again = new AggregateTypeRegistry().register(definition)

    expect(again.topic).toBe(definition.topic)
    expect(topics.resolve(definition.topic)).toBe(definition.aggregate)
  })

  test('a description is described only when given', () => {
    const registry = new AggregateTypeRegistry()
    const described = registry.register({ ...counterDefinition(), description: 'Counts to ten.' })
    const plain = registry.register(counterDefinition())

    const [first, second] = registry.describe()
    expect(first?.topic).toBe(described.topic)
    expect(first?.description).toBe('Counts to ten.')
    expect(second?.topic).toBe(plain.topic)
    expect(second).not.toHaveProperty('description')
  })
})
