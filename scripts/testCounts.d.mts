export interface Counts {
  passed: number
  failed: number
  skipped: number
  flaky: number
  notes: string[]
}
export declare function noCounts(): Counts
export declare function addCounts(a: Counts, b: Counts): Counts
export declare function countsLine(counts: Counts): string
export declare function vitestCounts(
  report: unknown,
  exitStatus: number | null,
  label?: string,
): Counts
export declare function playwrightCounts(
  report: unknown,
  exitStatus: number | null,
  label?: string,
): Counts
