import type { ApplicationRecorder, LogEntry, LogQuery } from '../persistence/recorder'

/**
 * The application log as an explorer reads and follows it: one entry per stored batch, in
 * position order (see LogEntry and LogQuery).
 */
export interface ApplicationLog {
  read(query: LogQuery): Promise<LogEntry[]>
  /**
   * How far behind the newest entry (in `recordedAt` time) an acknowledged entry may still
   * appear; 0 when positions follow commit order (see ApplicationRecorder.logReorderWindowMs).
   */
  readonly reorderWindowMs: number
}

/** The log of an application recorder. */
export function applicationLogOf(
  recorder: Pick<ApplicationRecorder, 'selectLog' | 'logReorderWindowMs'>,
): ApplicationLog {
  return {
    read: (query) => recorder.selectLog(query),
    get reorderWindowMs() {
      return recorder.logReorderWindowMs ?? 0
    },
  }
}
