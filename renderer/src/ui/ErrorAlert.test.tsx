// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { ExplorerError } from '../../../shared/contract'
import { ErrorAlert, explainError, toUiError } from './errors'

afterEach(() => {
  cleanup()
})

const ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7'

describe('ErrorAlert: an aggregate that is not there, or discarded', () => {
  it('a command refused because the aggregate is discarded is headed as discarded, not "not found"', () => {
    const error = new ExplorerError({
      code: 'AggregateNotFound',
      message: `aggregate ${ID} is discarded`,
      details: { id: ID, reason: 'discarded' },
    })
    render(<ErrorAlert error={error} context="Not staged" />)
    const alert = screen.getByRole('alert')
    expect(alert.textContent).toContain('Not staged: Aggregate is discarded')
    expect(alert.textContent).not.toMatch(/not found/i)
    expect(alert.textContent).not.toMatch(/may have been discarded/)
    expect(explainError(toUiError(error))).toBe('This aggregate is discarded.')
  })

  it('an aggregate that is not there is still "Aggregate not found"', () => {
    const error = new ExplorerError({
      code: 'AggregateNotFound',
      message: `aggregate ${ID} not found`,
      details: { id: ID },
    })
    render(<ErrorAlert error={error} context="Not staged" />)
    expect(screen.getByRole('alert').textContent).toContain('Not staged: Aggregate not found')
    expect(explainError(toUiError(error))).toBe(
      'This aggregate does not exist (or no longer exists).',
    )
  })
})
