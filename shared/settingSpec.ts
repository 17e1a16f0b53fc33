/** The shape of one setting's description in SETTINGS (settings.ts). Types only, and zod's. */
import type { z } from 'zod'

/** What a variable is for: the explorer's readSettings reads one group's variables together. */
export type SettingGroup =
  /** What any connection carries, and which store it opens. */
  | 'connection'
  | 'sqlite'
  | 'cassandra'
  /** A Python eventsourcing application's PostgreSQL database. */
  | 'postgres'
  /** A Python eventsourcing application's tables (SQLite or PostgreSQL). */
  | 'python'
  /** The run's cipher key, snapshots and file access. */
  | 'run'
  /** Browser mode (`npm run serve`) only. */
  | 'browser'
  /** The desktop app only. */
  | 'desktop'

export interface SettingSpec<T = unknown> {
  /** The environment variable. */
  readonly env: string
  readonly group: SettingGroup
  /** What it means (README, markdown). */
  readonly doc: string
  /** What applies when it is absent or empty (README, markdown). */
  readonly defaultDoc: string
  /** Reads the variable's text (undefined: not set); an issue's message follows the name. */
  readonly fromEnv: z.ZodType<T, string | undefined>
  /**
   * The typed value a connection's settings carry in the contract (ConnectionSettings), with
   * its optionality there; absent: not part of a connection's settings.
   */
  readonly value?: z.ZodType
  /** For the project's own tests only: not in the README's table. */
  readonly internal?: true
}
