/**
 * The contract's live events, main → renderer: what the main process pushes without being
 * asked (shared/contract.ts has the methods, and the types over both).
 */
import { z } from 'zod'
import type { EVENT_NAMES } from './contractBasics'
import { ConnectionInfo, LogEntryDto, taskId } from './schemas'

export const events = {
  /** New batches in the application log, whoever wrote them. */
  changes: z.lazy(() => z.object({ entries: z.array(LogEntryDto) })),
  /** Progress of a long call that was given a taskId. */
  progress: z.lazy(() =>
    z.object({
      taskId,
      done: z.number().min(0),
      total: z.number().min(0),
      label: z.string(),
    }),
  ),
  connection: ConnectionInfo,
} as const satisfies Record<(typeof EVENT_NAMES)[number], z.ZodType>
