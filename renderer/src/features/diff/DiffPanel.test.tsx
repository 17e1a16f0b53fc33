// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fakeService, renderWithQueries, TestProviders } from '../../testing/render'
import { createFakeApi, deferred, flush, uuid, type FakeApi } from '../../testing/fakeApi'
import type { DiffEntry } from '../../../../shared/contract'
import { DiffPanel } from './DiffPanel'

let api: FakeApi
const A = uuid(1)

beforeEach(() => {
  api = createFakeApi()
  api.getEventDiff.mockResolvedValue([])
  api.diffVersions.mockResolvedValue({
    from: { foo: 'a' },
    to: { foo: 'b' },
    diff: [{ kind: 'changed', path: ['foo'], before: 'a', after: 'b' }],
  })
})
afterEach(() => {
  cleanup()
})

/** Past the form's 200 ms pause before it asks. */
const settle = () => act(() => new Promise<void>((resolve) => setTimeout(resolve, 260)))

describe('DiffPanel compare', () => {
  it('an invalid version shows only its error, not the previous comparison', async () => {
    renderWithQueries(<DiffPanel aggregateId={A} version={2} latestVersion={3} />, { api })
    await settle()
    expect(screen.getByText('1 difference from version 1 to version 2:')).toBeTruthy()

    fireEvent.change(screen.getByLabelText('To version'), { target: { value: '9' } })
    await settle()
    expect(screen.getByText('Enter whole numbers from 0 to 3.')).toBeTruthy()
    expect(screen.queryByText(/difference from version/)).toBeNull()

    fireEvent.change(screen.getByLabelText('To version'), { target: { value: '3' } })
    await settle()
    expect(screen.getByText('1 difference from version 1 to version 3:')).toBeTruthy()
  })

  it('asks for the pair it opens with once', async () => {
    renderWithQueries(<DiffPanel aggregateId={A} version={2} latestVersion={3} />, { api })
    await settle()
    await settle()
    expect(screen.getByText('1 difference from version 1 to version 2:')).toBeTruthy()
    expect(api.diffVersions).toHaveBeenCalledTimes(1)
    expect(api.getEventDiff).toHaveBeenCalledTimes(1)
  })
})

describe('DiffPanel compare, when the server cannot compare', () => {
  it('says why, and never that the states are the same', async () => {
    api.diffVersions.mockResolvedValue({
      diff: [],
      cannotCompare: 'version 2 has no snapshot of its own',
    })
    renderWithQueries(<DiffPanel aggregateId={A} version={2} latestVersion={3} />, { api })
    await settle()
    expect(
      screen.getByText(
        'Version 1 and version 2 cannot be compared: version 2 has no snapshot of its own',
      ),
    ).toBeTruthy()
    expect(screen.queryByText(/have the same state/)).toBeNull()
  })
})

describe('DiffPanel event change', () => {
  it('asks for one change at a time while the selection moves, then for the version selected', async () => {
    const answers: Array<{ version: number; settle: ReturnType<typeof deferred<DiffEntry[]>> }> = []
    api.getEventDiff.mockImplementation(({ version }) => {
      const settle = deferred<DiffEntry[]>()
      answers.push({ version, settle })
      return settle.promise
    })
    const service = fakeService(api)
    const at = (version: number) => (
      <DiffPanel aggregateId={A} version={version} latestVersion={90} />
    )
    const { client, rerender } = renderWithQueries(at(10), { api, service })
    const shown = (version: number) =>
      rerender(
        <TestProviders service={service} client={client}>
          {at(version)}
        </TestProviders>,
      )
    // Waits are for what the page does next (a loaded machine may take more than one turn).
    await waitFor(() => expect(answers.map((a) => a.version)).toEqual([10]))
    for (const version of [11, 12, 13]) {
      shown(version)
      await act(flush)
    }
    // Still one in flight: the steps in between are never asked for.
    expect(answers.map((a) => a.version)).toEqual([10])
    await act(async () => {
      answers[0]!.settle.resolve([{ kind: 'added', path: ['x'], after: 10 }])
      await flush()
    })
    await waitFor(() => expect(answers.map((a) => a.version)).toEqual([10, 13]))
    // The answer for 10 is not shown as the change at 13.
    expect(screen.getByText('Loading the change…')).toBeTruthy()
    await act(async () => {
      answers[1]!.settle.resolve([{ kind: 'added', path: ['x'], after: 13 }])
      await flush()
    })
    await waitFor(() => expect(screen.queryByText('Loading the change…')).toBeNull())
    expect(screen.getByText('Change made by the event at version 13')).toBeTruthy()
    // Back to a version already answered: from the cache, no request.
    shown(10)
    await waitFor(() => expect(screen.queryByText('Loading the change…')).toBeNull())
    expect(screen.getByText('Change made by the event at version 10')).toBeTruthy()
    expect(answers).toHaveLength(2)
  })
})

describe('DiffPanel over a history that starts at v1 (a Python store)', () => {
  it('says the versions run from the first, and refuses version 0', async () => {
    renderWithQueries(
      <DiffPanel aggregateId={A} version={12} firstVersion={1} latestVersion={12} />,
      { api },
    )
    await settle()
    expect(screen.getByText('Versions 1 to 12.')).toBeTruthy()
    fireEvent.change(screen.getByLabelText('From version'), { target: { value: '0' } })
    await settle()
    expect(screen.getByText('Enter whole numbers from 1 to 12.')).toBeTruthy()
  })
})
