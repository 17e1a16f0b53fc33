/**
 * Aggregate types, registered: what an explorer (or any generic client) needs to work with an
 * aggregate it was not written for. A type names its topic and display name, its event classes
 * (registered as `<topic>.<Name>`, the convention the recorders rely on), the other classes its
 * state stores, how to create one and its commands, each with parameters described by a schema
 * (parameters.ts) that a UI can render as a form and that is checked before the command runs.
 */
import { type Aggregate, type AggregateClass } from '../domain/aggregate'
import { topics as defaultTopics, type AnyClass, type TopicRegistry } from '../domain/topics'
import { ConfigurationError, EntityIsDiscarded, InvalidCommand } from '../errors'
import {
  checkParametersSchema,
  NO_PARAMETERS,
  validateParameters,
  type ParametersSchema,
} from './parameters'

/** The reserved command name of a type's creation. */
export const CREATE_COMMAND = 'create'

interface CommandText {
  /** The button or form title, e.g. "Deposit". */
  readonly label: string
  readonly description?: string
  /** Omitted: the command takes no parameters. */
  readonly parameters?: ParametersSchema
}

export interface CommandDefinition<A extends Aggregate = Aggregate> extends CommandText {
  /**
   * Triggers the command's events on `aggregate` (they stay pending until saved). Throws
   * DomainError to refuse: a command refused triggers nothing.
   */
  readonly handle: (aggregate: A, params: Record<string, unknown>) => void
}

export interface CreateDefinition<A extends Aggregate = Aggregate> extends CommandText {
  /** Returns a new aggregate with its creation event pending (e.g. `Account.create({...})`). */
  readonly handle: (params: Record<string, unknown>) => A
}

export interface AggregateTypeDefinition<A extends Aggregate = Aggregate> {
  /** The aggregate class topic: stored forever, never rename it (e.g. 'bank#Account'). */
  readonly topic: string
  /** What people call it, e.g. "Account". */
  readonly displayName: string
  readonly description?: string
  readonly aggregate: AggregateClass<A>
  /** Its event classes by short name; each is registered as `<topic>.<name>`. */
  readonly events: Readonly<Record<string, AnyClass>>
  /** Other classes its state or events store (child entities, value objects), by topic. */
  readonly values?: Readonly<Record<string, AnyClass>>
  readonly create: CreateDefinition<A>
  /** Commands on an existing aggregate, by name (not 'create'). */
  readonly commands: Readonly<Record<string, CommandDefinition<A>>>
  /** Demo data (seeding): how to create demo aggregate `index` and make its later events. */
  readonly demo?: DemoDefinition
}

export interface DemoDefinition {
  /** The creation parameters of demo aggregate `index` (0, 1, …). */
  readonly create: (index: number) => Record<string, unknown>
  /** The command that triggers event `step` (1, 2, …) of demo aggregate `index`. */
  readonly command: (index: number, step: number) => CommandRequest
}

/** One command to run: its name and parameters (checked against the command's schema). */
export interface CommandRequest {
  readonly name: string
  readonly params?: unknown
}

/** A command as plain data: what a UI needs to render its form. */
export interface CommandDescription {
  readonly name: string
  readonly label: string
  readonly description?: string
  readonly parameters: ParametersSchema
}

/** An aggregate type as plain data. */
export interface AggregateTypeDescription {
  readonly topic: string
  readonly displayName: string
  readonly description?: string
  readonly create: CommandDescription
  readonly commands: readonly CommandDescription[]
}

function describeCommand(name: string, text: CommandText): CommandDescription {
  return {
    name,
    label: text.label,
    ...(text.description === undefined ? {} : { description: text.description }),
    // A copy: a caller changing the description must not change what validation checks.
    parameters: structuredClone(text.parameters ?? NO_PARAMETERS),
  }
}

/** A registered type: its definition, and running its commands with checked parameters. */
export class AggregateType<A extends Aggregate = Aggregate> {
  constructor(readonly definition: AggregateTypeDefinition<A>) {}

  get topic(): string {
    return this.definition.topic
  }

  get displayName(): string {
    return this.definition.displayName
  }

  describe(): AggregateTypeDescription {
    const d = this.definition
    return {
      topic: d.topic,
      displayName: d.displayName,
      ...(d.description === undefined ? {} : { description: d.description }),
      create: describeCommand(CREATE_COMMAND, d.create),
      commands: Object.entries(d.commands).map(([name, c]) => describeCommand(name, c)),
    }
  }

  /** A new aggregate, its creation event pending. */
  create(params: unknown): A {
    const checked = validateParameters(
      this.definition.create.parameters ?? NO_PARAMETERS,
      params,
      `${this.displayName}: ${CREATE_COMMAND}`,
    )
    return this.definition.create.handle(checked)
  }

  /**
   * Runs `commands` in order on `aggregate` (or creates one first when the first command is
   * 'create' and `aggregate` is undefined). Every command's parameters are checked before any
   * runs; a DomainError stops the run and propagates (the caller drops the aggregate).
   */
  run(aggregate: A | undefined, commands: readonly CommandRequest[]): A {
    const steps = commands.map((command, index) => this.check(command, index, aggregate))
    let current = aggregate
    for (const step of steps) {
      if (step.name === CREATE_COMMAND) {
        current = this.definition.create.handle(step.params)
        continue
      }
      if (!current) throw new InvalidCommand(`${step.name}: there is no aggregate to run it on`)
      if (current.isDiscarded) throw new EntityIsDiscarded(current.id)
      this.definition.commands[step.name]!.handle(current, step.params)
    }
    if (!current) throw new InvalidCommand('no commands to run and no aggregate to run them on')
    return current
  }

  private check(
    command: CommandRequest,
    index: number,
    aggregate: A | undefined,
  ): { name: string; params: Record<string, unknown> } {
    const { name } = command
    if (name === CREATE_COMMAND) {
      if (index !== 0 || aggregate !== undefined) {
        throw new InvalidCommand(
          `${this.displayName}: 'create' can only be the first command of a new aggregate`,
        )
      }
      const schema = this.definition.create.parameters ?? NO_PARAMETERS
      return {
        name,
        params: validateParameters(schema, command.params, `${this.displayName}: create`),
      }
    }
    const definition = Object.prototype.hasOwnProperty.call(this.definition.commands, name)
      ? this.definition.commands[name]
      : undefined
    if (!definition) {
      throw new InvalidCommand(`${this.displayName} has no command '${name}'`)
    }
    const schema = definition.parameters ?? NO_PARAMETERS
    return {
      name,
      params: validateParameters(schema, command.params, `${this.displayName}: ${name}`),
    }
  }
}

/**
 * The types an application knows. Registering a type registers its topics in the topic
 * registry; registering the same type again (the same aggregate class) is a no-op, so a module
 * may be loaded twice. Another class under a registered topic is a ConfigurationError.
 */
export class AggregateTypeRegistry {
  private readonly byTopic = new Map<string, AggregateType>()

  constructor(readonly topics: TopicRegistry = defaultTopics) {}

  register<A extends Aggregate>(definition: AggregateTypeDefinition<A>): AggregateType<A> {
    const existing = this.byTopic.get(definition.topic)
    if (existing) {
      if (existing.definition.aggregate !== definition.aggregate) {
        throw new ConfigurationError(
          `aggregate type '${definition.topic}' is already registered with another class`,
        )
      }
      return existing as unknown as AggregateType<A>
    }
    if (Object.prototype.hasOwnProperty.call(definition.commands, CREATE_COMMAND)) {
      throw new ConfigurationError(`'${CREATE_COMMAND}' is reserved for the type's creation`)
    }
    // Without its Created class among the events, its first event could not be stored.
    if (!Object.values(definition.events).includes(definition.aggregate.Created)) {
      throw new ConfigurationError(
        `aggregate type '${definition.topic}': its Created class must be one of its events`,
      )
    }
    const name = definition.displayName
    checkParametersSchema(definition.create.parameters ?? NO_PARAMETERS, `${name}: create`)
    for (const [command, c] of Object.entries(definition.commands))
      checkParametersSchema(c.parameters ?? NO_PARAMETERS, `${name}: ${command}`)
    // Every topic is checked before any is registered: a refused type leaves nothing behind
    // (a half-registered aggregate topic would refuse the corrected definition's class).
    const conflict = this.topicConflict(definition)
    if (conflict) {
      throw new ConfigurationError(
        `aggregate type '${definition.topic}' cannot be registered: ${conflict}`,
      )
    }
    try {
      this.topics.registerAggregate(definition.topic, definition.aggregate, definition.events)
      for (const [topic, cls] of Object.entries(definition.values ?? {}))
        this.topics.register(topic, cls)
    } catch (error) {
      throw new ConfigurationError(
        `aggregate type '${definition.topic}' cannot be registered: ${(error as Error).message}`,
        { cause: error },
      )
    }
    const type = new AggregateType(definition)
    this.byTopic.set(definition.topic, type as unknown as AggregateType)
    return type
  }

  /** Why registering `definition`'s classes would clash with the topic registry, if it would. */
  private topicConflict<A extends Aggregate>(
    definition: AggregateTypeDefinition<A>,
  ): string | undefined {
    const wanted = new Map<string, AnyClass>([[definition.topic, definition.aggregate]])
    for (const [name, cls] of Object.entries(definition.events))
      wanted.set(`${definition.topic}.${name}`, cls)
    const classes = new Map<AnyClass, string>()
    for (const [topic, cls] of [...wanted, ...Object.entries(definition.values ?? {})]) {
      const twice = classes.get(cls)
      if (twice !== undefined && twice !== topic) {
        return `class ${cls.name} is given as both '${twice}' and '${topic}'`
      }
      classes.set(cls, topic)
      if (this.topics.has(topic) && this.topics.resolve(topic) !== cls) {
        return `topic '${topic}' is already registered for another class`
      }
      const registered = this.topics.topicOfInstance(cls.prototype as object)
      if (registered !== undefined && registered !== topic) {
        return `class ${cls.name} is already registered as '${registered}'`
      }
    }
    return undefined
  }

  get(topic: string): AggregateType | undefined {
    return this.byTopic.get(topic)
  }

  has(topic: string): boolean {
    return this.byTopic.has(topic)
  }

  /** The registered type of an aggregate instance, if its class is one. */
  typeOf(aggregate: Aggregate): AggregateType | undefined {
    const topic = this.topics.topicOfInstance(aggregate)
    return topic === undefined ? undefined : this.byTopic.get(topic)
  }

  list(): AggregateType[] {
    return [...this.byTopic.values()]
  }

  describe(): AggregateTypeDescription[] {
    return this.list().map((t) => t.describe())
  }
}

/** The registry the library uses unless told otherwise (beside the default topic registry). */
export const aggregateTypes = new AggregateTypeRegistry()

/** Registers a type in the default registry: the front door for a module of user types. */
export function registerAggregateType<A extends Aggregate>(
  definition: AggregateTypeDefinition<A>,
): AggregateType<A> {
  return aggregateTypes.register(definition)
}
