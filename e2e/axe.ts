/**
 * axe-core on the page as it is: the violations a user of assistive technology or low vision
 * would meet. The bar is "no serious or critical violation"; minor and moderate ones
 * are reported (in the failure message) but do not fail a check.
 */
import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'

type Result = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number]

const BLOCKING = new Set(['serious', 'critical'])

export interface ScreenReport {
  screen: string
  blocking: Result[]
  other: Result[]
}

/** Scans the whole page (an open dialog included) and splits the violations by impact. */
export async function scan(page: Page, screen: string): Promise<ScreenReport> {
  const results = await new AxeBuilder({ page })
    // Experimental in axe, but WCAG 2.5.3: a control's name must contain its visible label.
    .options({ rules: { 'label-content-name-mismatch': { enabled: true } } })
    .analyze()
  const blocking = results.violations.filter((v) => BLOCKING.has(v.impact ?? ''))
  const other = results.violations.filter((v) => !BLOCKING.has(v.impact ?? ''))
  return { screen, blocking, other }
}

/** One line per rule: screen, impact, rule id, how many elements, the first element's target. */
export function describe(reports: readonly ScreenReport[], which: 'blocking' | 'other'): string {
  const lines = reports.flatMap((report) =>
    report[which].map((v) => {
      const first = v.nodes[0]
      const summary = first?.failureSummary?.split('\n').slice(1, 2).join(' ').trim() ?? ''
      return `${report.screen}: ${v.impact} ${v.id} ×${v.nodes.length} (${first?.target.join(' ') ?? ''}) ${summary}`
    }),
  )
  return lines.join('\n')
}
