import { TopicNotFound } from '../errors'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds classes of any constructor shape
export type AnyClass = abstract new (...args: any[]) => object

/**
 * Stable names for classes that are stored: events, aggregates, snapshots and the value or
 * entity classes inside their state. A stored topic is forever: register a renamed class
 * under its old topic rather than changing the string.
 */
export class TopicRegistry {
  private readonly byTopic = new Map<string, AnyClass>()
  private readonly byClass = new Map<AnyClass, string>()

  register(topic: string, cls: AnyClass): void {
    const existing = this.byTopic.get(topic)
    if (existing && existing !== cls) {
      throw new Error(`topic '${topic}' is already registered for another class`)
    }
    const existingTopic = this.byClass.get(cls)
    if (existingTopic !== undefined && existingTopic !== topic) {
      throw new Error(`class ${cls.name} is already registered as '${existingTopic}'`)
    }
    this.byTopic.set(topic, cls)
    this.byClass.set(cls, topic)
  }

  /**
   * Registers an aggregate class and its event classes as `<topic>.<EventName>`. The recorders
   * rely on this convention to tell an aggregate's type from the topic of its first event
   * without decrypting it.
   */
  registerAggregate(topic: string, cls: AnyClass, events: Record<string, AnyClass>): void {
    this.register(topic, cls)
    for (const [name, eventClass] of Object.entries(events)) {
      this.register(`${topic}.${name}`, eventClass)
    }
  }

  resolve(topic: string): AnyClass {
    const cls = this.byTopic.get(topic)
    if (!cls) throw new TopicNotFound(topic)
    return cls
  }

  has(topic: string): boolean {
    return this.byTopic.has(topic)
  }

  topicOf(cls: AnyClass): string {
    const topic = this.byClass.get(cls)
    if (topic === undefined) {
      throw new TopicNotFound(`<unregistered class ${cls.name}>`)
    }
    return topic
  }

  /** The topic of an object's class, or undefined when its class is not registered. */
  topicOfInstance(value: object): string | undefined {
    return this.byClass.get(value.constructor as AnyClass)
  }

  topicsList(): string[] {
    return [...this.byTopic.keys()]
  }
}

/** The registry the library uses unless told otherwise. */
export const topics = new TopicRegistry()

/** The aggregate type named by an event topic registered with `registerAggregate`. */
export function aggregateTopicOfEventTopic(eventTopic: string): string {
  const dot = eventTopic.lastIndexOf('.')
  return dot > 0 ? eventTopic.slice(0, dot) : eventTopic
}
