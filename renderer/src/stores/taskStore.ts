import { create } from 'zustand'
import type { EventOf } from '../../../shared/contract'

export type TaskStatus = 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed'

export interface Task {
  taskId: string
  /** What the user started, e.g. "Seeding demo data". */
  title: string
  /** The latest progress label from the main process, e.g. "aggregate 12 of 50". */
  label: string
  done: number
  /** 0 while the total is not known yet. */
  total: number
  status: TaskStatus
  /** The outcome, for finished tasks ("Seeded 50 aggregates", or the error). */
  message?: string
  startedAt: number
  finishedAt?: number
}

export type ProgressEvent = EventOf<'progress'>

interface TaskState {
  /** In start order. */
  tasks: Task[]
  start(title: string, taskId?: string, now?: number): string
  progress(event: ProgressEvent): void
  markCancelling(taskId: string): void
  finish(
    taskId: string,
    status: Exclude<TaskStatus, 'running' | 'cancelling'>,
    message?: string,
    now?: number,
  ): void
  dismiss(taskId: string): void
  /** Removes finished tasks that ended before `before` (ms since epoch). */
  prune(before: number): void
  reset(): void
}

/** A task id the contract accepts: letters, digits, `_` and `-`, at most 64 characters. */
export function newTaskId(prefix = 'task'): string {
  // 64 random bits: two ids made in the same millisecond still differ, with no counter to keep.
  const random = Array.from(crypto.getRandomValues(new Uint32Array(2)), (n) => n.toString(36)).join(
    '',
  )
  const safePrefix = prefix.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 24) || 'task'
  return `${safePrefix}-${Date.now().toString(36)}-${random}`
}

const isActive = (task: Task) => task.status === 'running' || task.status === 'cancelling'

function update(tasks: Task[], taskId: string, change: (task: Task) => Task): Task[] {
  let changed = false
  const next = tasks.map((task) => {
    if (task.taskId !== taskId) return task
    const updated = change(task)
    if (updated !== task) changed = true
    return updated
  })
  return changed ? next : tasks
}

/** Long-running calls started with a taskId, and their progress as reported by the main process. */
export const useTaskStore = create<TaskState>()((set) => ({
  tasks: [],
  start: (title, taskId = newTaskId(), now = Date.now()) => {
    set((state) => ({
      tasks: [
        ...state.tasks.filter((task) => task.taskId !== taskId),
        { taskId, title, label: '', done: 0, total: 0, status: 'running', startedAt: now },
      ],
    }))
    return taskId
  },
  progress: (event) =>
    set((state) => ({
      // Progress for tasks this window did not start, or after they finished, is ignored.
      tasks: update(state.tasks, event.taskId, (task) =>
        isActive(task)
          ? {
              ...task,
              label: event.label,
              total: event.total,
              // Never move backwards: events may arrive out of order across transports.
              done: Math.max(
                task.done,
                Math.min(event.done, event.total > 0 ? event.total : event.done),
              ),
            }
          : task,
      ),
    })),
  markCancelling: (taskId) =>
    set((state) => ({
      tasks: update(state.tasks, taskId, (task) =>
        task.status === 'running' ? { ...task, status: 'cancelling' } : task,
      ),
    })),
  finish: (taskId, status, message, now = Date.now()) =>
    set((state) => ({
      tasks: update(state.tasks, taskId, (task) =>
        isActive(task)
          ? {
              ...task,
              status,
              message,
              finishedAt: now,
              done: status === 'done' && task.total > 0 ? task.total : task.done,
            }
          : task,
      ),
    })),
  dismiss: (taskId) =>
    set((state) => ({ tasks: state.tasks.filter((task) => task.taskId !== taskId) })),
  prune: (before) =>
    set((state) => {
      const kept = state.tasks.filter(
        (task) => isActive(task) || (task.finishedAt ?? Infinity) >= before,
      )
      return kept.length === state.tasks.length ? state : { tasks: kept }
    }),
  reset: () => set({ tasks: [] }),
}))

export function isTaskActive(task: Task | undefined): boolean {
  return task !== undefined && isActive(task)
}

/** Fraction done in [0, 1], or undefined while the total is unknown. */
export function taskFraction(task: Pick<Task, 'done' | 'total'>): number | undefined {
  if (task.total <= 0) return undefined
  return Math.min(1, Math.max(0, task.done / task.total))
}
