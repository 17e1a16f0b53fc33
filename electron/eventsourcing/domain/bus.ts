/**
 * Publish/subscribe for domain events, as in the seed's `publish`/`subscribe`. Handlers run in
 * subscription order and each is awaited before the next, so a policy subscribed later (the
 * snapshotting policy) sees only what an earlier one (persistence) has stored. A handler that
 * throws stops the publication and the error reaches the publisher.
 */
export type Predicate<M> = (message: M) => boolean
export type Handler<M> = (message: M) => void | Promise<void>

export class EventBus<M = unknown> {
  private subscriptions: Array<{ predicate: Predicate<M>; handler: Handler<M> }> = []

  subscribe(predicate: Predicate<M>, handler: Handler<M>): () => void {
    const subscription = { predicate, handler }
    this.subscriptions = [...this.subscriptions, subscription]
    return () => this.unsubscribe(predicate, handler)
  }

  unsubscribe(predicate: Predicate<M>, handler: Handler<M>): void {
    this.subscriptions = this.subscriptions.filter(
      (s) => s.predicate !== predicate || s.handler !== handler,
    )
  }

  async publish(message: M): Promise<void> {
    // A snapshot of the list: subscribing during publication affects the next one only.
    for (const { predicate, handler } of this.subscriptions) {
      if (predicate(message)) await handler(message)
    }
  }

  get size(): number {
    return this.subscriptions.length
  }
}
