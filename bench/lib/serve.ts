/** Browser mode (`electron/serve/cli.ts`) on one SQLite file, as a child process of the bench. */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { ROOT } from './harness'

export interface Served {
  /** The page's address, token included. */
  readonly url: string
  stop(): Promise<void>
}

/**
 * `snapshotPeriod` is the app's (EVENTSCOPE_SNAPSHOT_PERIOD): give the period the store was
 * seeded with, or the app takes the snapshots its own period says are missing as it replays
 * (the default of 2 turned a "no snapshots" store into one with hundreds, each scrub writing
 * more, multi-MB states).
 */
export async function serve(
  sqlitePath: string,
  dataDir: string,
  snapshotPeriod: number,
): Promise<Served> {
  const child = spawn(
    join(ROOT, 'node_modules/.bin/tsx'),
    ['--tsconfig', 'tsconfig.node.json', 'electron/serve/cli.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        EVENTSCOPE_STORE: 'sqlite',
        EVENTSCOPE_SQLITE_PATH: sqlitePath,
        EVENTSCOPE_DATA_DIR: dataDir,
        EVENTSCOPE_SNAPSHOT_PERIOD: String(snapshotPeriod),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let timer: NodeJS.Timeout | undefined
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      const m = /running at (http\S+)/.exec(line)
      if (m) resolve(m[1]!)
    })
    void exited.then(() => reject(new Error(`browser mode exited: ${stderr.trim()}`)))
    timer = setTimeout(
      () => reject(new Error(`browser mode did not start in 60 s: ${stderr}`)),
      60_000,
    )
  }).finally(() => clearTimeout(timer))
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
