/**
 * "Export history" without one huge reply: the history is read page by page (each reply is
 * bounded by the contract) and each page is turned into its slice of the file at once, so the
 * events are not all held as objects; the Blob is assembled from those slices at the end. The
 * file is exactly what `JSON.stringify({ aggregateId, type, exportedAt, events }, null, 2)` of
 * the whole history would give.
 */
import type { ExplorerApi, ResponseOf } from '../../../../shared/contract'
import { ExplorerError } from '../../../../shared/contractBasics'

/** Events per request: a few MB per reply, and few round trips for 100,000 events. */
export const EXPORT_PAGE_SIZE = 2000

export interface ExportProgress {
  /** Versions exported so far. */
  done: number
  /** Versions to export (the latest version + 1 when the export started). */
  total: number
}

export interface ExportOptions {
  /** Sent with each page, so cancelTask can stop the one in flight. */
  taskId?: string
  /** Checked between pages: true stops the export with a Cancelled error. */
  isCancelled?: () => boolean
  onProgress?: (progress: ExportProgress) => void
  pageSize?: number
}

export interface ExportedHistory {
  blob: Blob
  events: number
}

type Page = ResponseOf<'exportHistory'>

const indent = (text: string, by: string) => text.replace(/\n/g, `\n${by}`)

/**
 * Reads every page of `id`'s history up to the version that was latest when the export began
 * (events stored meanwhile are left out: the file is the history as of `exportedAt`).
 */
export async function exportHistory(
  api: Pick<ExplorerApi, 'exportHistory'>,
  id: string,
  options: ExportOptions = {},
): Promise<ExportedHistory> {
  const limit = options.pageSize ?? EXPORT_PAGE_SIZE
  const parts: string[] = []
  let first: Page | undefined
  let count = 0
  let fromVersion: number | undefined = 0
  while (fromVersion !== undefined) {
    if (options.isCancelled?.()) {
      throw new ExplorerError({ code: 'Cancelled', message: 'the export was cancelled' })
    }
    const page: Page = await api.exportHistory({
      id,
      fromVersion,
      limit,
      ...(options.taskId === undefined ? {} : { taskId: options.taskId }),
    })
    first ??= page
    const last = first.latestVersion
    const events = page.events.filter((event) => event.version <= last)
    for (const event of events) {
      parts.push(
        `${count === 0 ? '\n' : ',\n'}    ${indent(JSON.stringify(event, null, 2), '    ')}`,
      )
      count += 1
    }
    options.onProgress?.({ done: Math.min(last + 1, fromVersion + events.length), total: last + 1 })
    const next = page.nextFromVersion
    if (next !== undefined && next <= fromVersion) {
      throw new ExplorerError({
        code: 'InternalError',
        message: `exportHistory did not advance past version ${fromVersion}`,
      })
    }
    fromVersion = next !== undefined && next <= last ? next : undefined
  }
  if (!first) throw new ExplorerError({ code: 'InternalError', message: 'no page was read' })
  const head = JSON.stringify(
    { aggregateId: first.aggregateId, type: first.type, exportedAt: first.exportedAt },
    null,
    2,
  ).slice(0, -2) // without the closing "\n}"
  const blob = new Blob([head, ',\n  "events": [', ...parts, count === 0 ? ']\n}' : '\n  ]\n}'], {
    type: 'application/json',
  })
  return { blob, events: count }
}
