/**
 * Long calls as tasks: cancellable by id (cancelTask), superseded by a newer call with the same
 * id, aborted by a reconnect, and reporting progress.
 */
import { CONNECTION_CLOSED, type ConnectionLeases } from './connectionLeases'
import { ApiFailure } from './dispatch'
import type { Emit } from './serviceOptions'

/** Runs a cancellable call; a newer call with the same taskId supersedes an older one. */
export async function runTask<T>(
  tasks: Map<string, AbortController>,
  leases: ConnectionLeases<object>,
  taskId: string | undefined,
  body: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController()
  if (taskId !== undefined) {
    tasks.get(taskId)?.abort()
    tasks.set(taskId, controller)
  }
  const untrack = leases.trackTask(controller)
  try {
    return await body(controller.signal)
  } catch (error) {
    if (controller.signal.reason === CONNECTION_CLOSED)
      throw new ApiFailure({
        code: 'NotConnected',
        message:
          'the connection was closed (a reconnect) while this task ran; nothing more was done: run it again',
      })
    if (controller.signal.aborted)
      throw new ApiFailure({
        code: 'Cancelled',
        message: taskId === undefined ? 'the task was cancelled' : `task ${taskId} was cancelled`,
      })
    throw error
  } finally {
    untrack()
    if (taskId !== undefined && tasks.get(taskId) === controller) tasks.delete(taskId)
  }
}

/** A progress reporter for a task: the first and last report always, others at most every 100 ms. */
export function progressReporter(
  emit: Emit,
  taskId: string,
  total: number,
  label: string,
): (done: number) => void {
  let last = 0
  return (done) => {
    const now = Date.now()
    if (last !== 0 && done < total && now - last < 100) return
    last = now
    emit('progress', { taskId, done: Math.min(done, total), total, label })
  }
}
