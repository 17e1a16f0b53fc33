/** seedDemoData's limits: a capped total, and one seed at a time (on a real SQLite file). */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { MAX_SEED_EVENTS, methods, type ResponseOf } from '../../shared/contract'
import { dispatch } from './dispatch'
import { ExplorerService } from './service'

const folder = mkdtempSync(join(tmpdir(), 'eventscope-seed-'))
const services: ExplorerService[] = []
afterAll(async () => {
  for (const service of services) await service.close()
})

async function connected(): Promise<ExplorerService> {
  const service = new ExplorerService({ emit: () => {}, cipherKey: undefined })
  services.push(service)
  const envelope = await dispatch(service, 'connect', {
    kind: 'sqlite',
    path: join(folder, `seed-${services.length}.sqlite`),
  })
  expect(envelope.ok).toBe(true)
  return service
}

describe('the seed cap', () => {
  test('given 10^5 aggregates × 10^5 events, then a ValidationError that states the cap, and nothing is written', async () => {
    const service = await connected()

    const envelope = await dispatch(service, 'seedDemoData', {
      aggregates: 100_000,
      events: 100_000,
      taskId: 'big',
    })

    expect(envelope).toMatchObject({ ok: false, error: { code: 'ValidationError' } })
    expect(envelope.ok ? '' : envelope.error.message).toContain('at most 1,000,000 events in total')
    const list = await dispatch(service, 'listAggregates', {})
    expect(list.ok && (list.value as ResponseOf<'listAggregates'>).total).toBe(0)
  })

  test('the cap is the product: exactly MAX_SEED_EVENTS passes, one aggregate more does not', () => {
    const request = methods.seedDemoData.request
    expect(MAX_SEED_EVENTS).toBe(1_000_000)
    expect(request.safeParse({ aggregates: 10_000, events: 100, taskId: 't' }).success).toBe(true)
    expect(request.safeParse({ aggregates: 10_001, events: 100, taskId: 't' }).success).toBe(false)
    expect(request.safeParse({ aggregates: 1, events: 100_001, taskId: 't' }).success).toBe(false)
  })
})

describe('one seed at a time', () => {
  test('given a seed running, then a second one gets a clear error; once it ends, seeding works again', async () => {
    const service = await connected()

    const first = dispatch(service, 'seedDemoData', { aggregates: 30, events: 100, taskId: 'one' })
    const second = await dispatch(service, 'seedDemoData', {
      aggregates: 1,
      events: 1,
      taskId: 'two',
    })

    expect(second).toMatchObject({
      ok: false,
      error: { code: 'ValidationError', details: { taskId: 'one' } },
    })
    expect(second.ok ? '' : second.error.message).toMatch(/a seed is already running \(task one\)/)
    expect(await first).toMatchObject({
      ok: true,
      value: { aggregates: 30, events: 3000, cancelled: false },
    })
    const third = await dispatch(service, 'seedDemoData', {
      aggregates: 2,
      events: 3,
      taskId: 'three',
    })
    expect(third).toMatchObject({ ok: true, value: { aggregates: 2, events: 6 } })
  })

  test('given a seed that fails or is cancelled, then the next one may run', async () => {
    const service = await connected()
    const first = dispatch(service, 'seedDemoData', { aggregates: 50, events: 200, taskId: 'a' })
    await dispatch(service, 'cancelTask', { taskId: 'a' })
    const outcome = await first
    expect(outcome.ok ? (outcome.value as { cancelled: boolean }).cancelled : true).toBe(true)

    const next = await dispatch(service, 'seedDemoData', { aggregates: 1, events: 2, taskId: 'b' })
    expect(next).toMatchObject({ ok: true, value: { aggregates: 1, events: 2 } })
  })
})
