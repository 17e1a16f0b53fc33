import { beforeEach, describe, expect, it } from 'vitest'
import { isTaskActive, newTaskId, taskFraction, useTaskStore } from './taskStore'

const store = () => useTaskStore.getState()
const task = (taskId: string) => store().tasks.find((t) => t.taskId === taskId)

describe('taskStore', () => {
  beforeEach(() => store().reset())

  it('starts a running task with no progress yet', () => {
    const id = store().start('Seeding 20 aggregates', 'seed-1', 1000)
    expect(id).toBe('seed-1')
    expect(task(id)).toEqual({
      taskId: 'seed-1',
      title: 'Seeding 20 aggregates',
      label: '',
      done: 0,
      total: 0,
      status: 'running',
      startedAt: 1000,
    })
    expect(isTaskActive(task(id))).toBe(true)
    expect(taskFraction(task(id)!)).toBeUndefined()
  })

  it('keeps tasks in start order', () => {
    store().start('first', 'a')
    store().start('second', 'b')
    expect(store().tasks.map((t) => t.taskId)).toEqual(['a', 'b'])
  })

  it('applies progress events to the task with that id', () => {
    store().start('Export', 'export-1')
    store().progress({ taskId: 'export-1', done: 40, total: 200, label: 'events 40 of 200' })
    expect(task('export-1')).toMatchObject({ done: 40, total: 200, label: 'events 40 of 200' })
    expect(taskFraction(task('export-1')!)).toBe(0.2)
  })

  it('ignores progress for tasks this window did not start', () => {
    store().start('Export', 'export-1')
    const before = store().tasks
    store().progress({ taskId: 'someone-else', done: 1, total: 2, label: 'x' })
    expect(store().tasks).toBe(before)
  })

  it('never moves progress backwards and never past the total', () => {
    store().start('Seed', 's')
    store().progress({ taskId: 's', done: 50, total: 100, label: '' })
    store().progress({ taskId: 's', done: 30, total: 100, label: 'late event' })
    expect(task('s')?.done).toBe(50)
    store().progress({ taskId: 's', done: 150, total: 100, label: '' })
    expect(task('s')?.done).toBe(100)
  })

  it('marks a running task as cancelling, and it stays active until it ends', () => {
    store().start('Seed', 's')
    store().markCancelling('s')
    expect(task('s')?.status).toBe('cancelling')
    expect(isTaskActive(task('s'))).toBe(true)
    store().progress({ taskId: 's', done: 10, total: 100, label: '' })
    expect(task('s')?.done).toBe(10)
    store().finish('s', 'cancelled', 'Cancelled after 10', 5000)
    expect(task('s')).toMatchObject({
      status: 'cancelled',
      message: 'Cancelled after 10',
      finishedAt: 5000,
      done: 10,
    })
    expect(isTaskActive(task('s'))).toBe(false)
  })

  it('fills the bar when a task completes, and ignores progress afterwards', () => {
    store().start('Seed', 's')
    store().progress({ taskId: 's', done: 90, total: 100, label: '' })
    store().finish('s', 'done', 'Seeded', 2000)
    expect(task('s')).toMatchObject({ status: 'done', done: 100, message: 'Seeded' })
    store().progress({ taskId: 's', done: 95, total: 100, label: 'late' })
    expect(task('s')?.label).toBe('')
  })

  it('does not change how a finished task ended', () => {
    store().start('Seed', 's')
    store().finish('s', 'failed', 'Store unavailable')
    store().finish('s', 'done', 'Seeded')
    expect(task('s')).toMatchObject({ status: 'failed', message: 'Store unavailable' })
  })

  it('dismisses one task', () => {
    store().start('a', 'a')
    store().start('b', 'b')
    store().dismiss('a')
    expect(store().tasks.map((t) => t.taskId)).toEqual(['b'])
  })

  it('prunes finished tasks older than the cutoff, never running ones', () => {
    store().start('old', 'old')
    store().finish('old', 'done', undefined, 1000)
    store().start('recent', 'recent')
    store().finish('recent', 'done', undefined, 5000)
    store().start('running', 'running')
    store().prune(3000)
    expect(store().tasks.map((t) => t.taskId)).toEqual(['recent', 'running'])
  })

  it('restarting with the same id replaces the old entry', () => {
    store().start('first try', 'same')
    store().finish('same', 'failed', 'boom')
    store().start('second try', 'same')
    expect(store().tasks).toHaveLength(1)
    expect(task('same')).toMatchObject({ title: 'second try', status: 'running' })
  })

  it('makes task ids the contract accepts', () => {
    const ids = new Set<string>()
    for (let i = 0; i < 100; i++) {
      const id = newTaskId('seed demo!')
      expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/)
      ids.add(id)
    }
    expect(ids.size).toBe(100)
    expect(newTaskId('')).toMatch(/^task-/)
  })
})
