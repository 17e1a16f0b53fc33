import type { ExplorerApi } from '../../../shared/contract'
import { describeError } from '../ui/errors'
import { newTaskId, useTaskStore } from '../stores/taskStore'

export interface TaskOutcome {
  status: 'done' | 'cancelled'
  message: string
}

/**
 * Starts a long call with a fresh taskId, tracks its progress in the task store, and records
 * how it ended. Resolves with the call's value; rejects with its error (already recorded).
 */
export async function runTask<T>(
  title: string,
  call: (taskId: string) => Promise<T>,
  outcome: (value: T) => TaskOutcome,
  options: { prefix?: string; onStart?: (taskId: string) => void } = {},
): Promise<T> {
  const store = useTaskStore.getState()
  const taskId = store.start(title, newTaskId(options.prefix))
  options.onStart?.(taskId)
  try {
    const value = await call(taskId)
    const { status, message } = outcome(value)
    useTaskStore.getState().finish(taskId, status, message)
    return value
  } catch (error) {
    const described = describeError(error)
    if (described.code === 'Cancelled')
      useTaskStore.getState().finish(taskId, 'cancelled', 'Cancelled.')
    else
      useTaskStore.getState().finish(taskId, 'failed', `${described.title}: ${described.message}`)
    throw error
  }
}

/** Asks the main process to stop a task; the task's own call then reports how it ended. */
export async function cancelTask(api: ExplorerApi, taskId: string): Promise<void> {
  useTaskStore.getState().markCancelling(taskId)
  try {
    await api.cancelTask({ taskId })
  } catch (error) {
    // The task keeps running and will still report how it ended.
    console.warn(`could not cancel task ${taskId}:`, describeError(error).message)
  }
}
