// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { StartingNotice, TransportBanner } from './TransportNotice'

afterEach(() => cleanup())

// The spinner is decoration (aria-hidden, no role), so it is found by its class.
const spinnerIn = (element: HTMLElement) => element.querySelector('.spinner')

describe('the transport banner', () => {
  it('shows a spinner while the page reconnects', () => {
    const { rerender } = render(<TransportBanner status="closed" />)
    expect(screen.getByRole('alert').textContent).toMatch(/Reconnecting…/)
    expect(spinnerIn(screen.getByRole('alert'))).not.toBeNull()
    rerender(<TransportBanner status="connecting" />)
    expect(spinnerIn(screen.getByRole('alert'))).not.toBeNull()
  })

  it('shows no spinner once the server refuses the page: nothing is being retried that will help', () => {
    render(<TransportBanner status="refused" />)
    const banner = screen.getByRole('alert')
    expect(banner.textContent).toMatch(/restarted .* Open the address it printed/)
    expect(spinnerIn(banner)).toBeNull()
  })

  it('is gone while the link is open', () => {
    render(<TransportBanner status="open" />)
    expect(screen.queryByRole('alert')).toBeNull()
  })
})

describe('the start notice', () => {
  it('is busy with a spinner while connecting, and neither once the page is refused', () => {
    const { rerender } = render(<StartingNotice status="connecting" />)
    const main = screen.getByRole('main', { name: 'Connecting' })
    expect(main.getAttribute('aria-busy')).toBe('true')
    expect(spinnerIn(main)).not.toBeNull()

    rerender(<StartingNotice status="refused" />)
    const refused = screen.getByRole('main')
    expect(refused.getAttribute('aria-busy')).not.toBe('true')
    expect(spinnerIn(refused)).toBeNull()
    expect(screen.getByRole('status').textContent).toMatch(/open the address it printed/)
  })
})
