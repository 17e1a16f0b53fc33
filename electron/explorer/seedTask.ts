/**
 * seedDemoData as a task of the service: the type checked (registered, with demo data), one
 * seed at a time, progress reported and cancellable (the seeding itself is in seeding.ts).
 */
import type { ParsedRequestOf, ResponseOf } from '../../shared/contract'
import { DEFAULT_SEED_TYPE } from './builtInTypes'
import { seedableType } from './commands'
import type { Connection } from './connection'
import { ApiFailure } from './dispatch'
import type { QueryContext } from './queries'
import { seedDemoData } from './seeding'

export class SeedTasks {
  /** The task id of the seed running now, if any: one seed at a time. */
  private running: string | undefined

  constructor(private readonly ctx: Pick<QueryContext, 'runTask' | 'progress'>) {}

  async seed(
    c: Connection,
    {
      aggregates,
      events,
      type: topic = DEFAULT_SEED_TYPE,
      taskId,
    }: ParsedRequestOf<'seedDemoData'>,
  ): Promise<ResponseOf<'seedDemoData'>> {
    const type = seedableType(topic)
    // One at a time: checked and claimed before any await, so two requests cannot both pass.
    if (this.running !== undefined) {
      throw new ApiFailure({
        code: 'ValidationError',
        message: `a seed is already running (task ${this.running}); wait for it to finish or cancel it`,
        details: { taskId: this.running },
      })
    }
    this.running = taskId
    return this.ctx
      .runTask(taskId, async (signal) => {
        const progress = this.ctx.progress(
          taskId,
          aggregates * events,
          `Seeding ${aggregates} ${type.displayName} aggregates × ${events} events`,
        )
        progress(0)
        return seedDemoData(c.app, {
          type,
          aggregates,
          events,
          signal,
          onProgress: (p) => progress(p.events),
        })
      })
      .finally(() => {
        this.running = undefined
      })
  }
}
