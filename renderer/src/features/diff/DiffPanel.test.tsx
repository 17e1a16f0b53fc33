// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { renderWithQueries } from '../../testing/render'
import { createFakeApi, uuid, type FakeApi } from '../../testing/fakeApi'
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
