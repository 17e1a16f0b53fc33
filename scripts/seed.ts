/**
 * Fills the configured store with demo data, through the explorer service's own seeding code.
 *
 *   npm run seed -- --aggregates N --events M [--type TOPIC] [--store sqlite|cassandra|memory] [--sqlite-path FILE]
 *
 * Settings come from the environment as for the app (EVENTSCOPE_*, CASSANDRA_*); the default
 * SQLite file is the browser mode's, `eventscope.sqlite` in EVENTSCOPE_DATA_DIR (default
 * `.eventscope/` under the working folder), found by the same function.
 * --type names a registered aggregate type with demo data (default: the example's); types of
 * EVENTSCOPE_MODULES are registered too.
 * Ctrl-C stops after the current batch (every stored batch is complete); a second Ctrl-C quits.
 */
import { parseArgs } from 'node:util'
import type { ConnectionSettings, EventName, EventOf } from '../shared/contract'
import { browserDataDir, createDataDir } from '../electron/explorer/dataDir'
import { ExplorerService } from '../electron/explorer/service'
import { settingsFromEnv } from '../electron/explorer/settings'

const TASK = 'cli-seed'
const usage =
  'usage: npm run seed -- --aggregates N --events M [--type TOPIC] [--store sqlite|cassandra|memory] [--sqlite-path FILE]'

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      aggregates: { type: 'string', default: '100' },
      events: { type: 'string', default: '100' },
      type: { type: 'string' },
      store: { type: 'string' },
      'sqlite-path': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(usage)
    return 0
  }
  const aggregates = count(values.aggregates, '--aggregates')
  const events = count(values.events, '--events')
  const env = { ...process.env }
  if (values.store) env['EVENTSCOPE_STORE'] = values.store
  if (values['sqlite-path']) env['EVENTSCOPE_SQLITE_PATH'] = values['sqlite-path']
  const folder = browserDataDir(env, process.cwd())
  const settings = await settingsFromEnv(env, { dataDir: folder.path })
  // The app's own data folder may be created (private to the user); any other folder must exist.
  if (
    settings.connection.kind === 'sqlite' &&
    settings.connection.path === settings.defaultSqlitePath
  )
    await createDataDir(folder)

  const bar = new ProgressBar(process.stderr)
  const service = new ExplorerService({
    cipherKey: settings.cipherKey,
    snapshotPeriod: settings.snapshotPeriod,
    defaultSqlitePath: settings.defaultSqlitePath,
    env,
    emit: <E extends EventName>(event: E, payload: EventOf<E>) => {
      if (event === 'progress') {
        const p = payload as EventOf<'progress'>
        if (p.taskId === TASK) bar.update(p.done, p.total)
      }
    },
  })
  let interrupted = 0
  const onSigint = (): void => {
    interrupted += 1
    if (interrupted > 1) process.exit(130)
    bar.note('stopping after the current batch… (Ctrl-C again to quit at once)')
    void service.cancelTask({ taskId: TASK })
  }
  process.on('SIGINT', onSigint)
  try {
    const info = await service.connect(settings.connection as ConnectionSettings)
    console.error(
      `${info.description}; ${info.encrypted ? 'encrypted' : 'not encrypted'}; snapshot every ${info.snapshotPeriod || 'never'}`,
    )
    const started = performance.now()
    for (const m of (await service.getConnection()).modules ?? [])
      if (m.error) console.error(`module ${m.path}: ${m.error}`)
    const result = await service.seedDemoData({
      aggregates,
      events,
      taskId: TASK,
      ...(values.type ? { type: values.type } : {}),
    })
    bar.done()
    const seconds = (performance.now() - started) / 1000
    const rate = Math.round(result.events / Math.max(seconds, 0.001))
    console.log(
      `${result.cancelled ? 'Stopped' : 'Seeded'}: ${fmt(result.aggregates)} aggregates, ${fmt(result.events)} events in ${seconds.toFixed(1)} s (${fmt(rate)} ev/s)`,
    )
    return result.cancelled ? 130 : 0
  } finally {
    process.off('SIGINT', onSigint)
    await service.close()
  }
}

function count(text: string | undefined, name: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
    throw new Error(`${name} must be a whole number from 1 to 1,000,000, not '${text}'\n${usage}`)
  }
  return n
}

const fmt = (n: number): string => n.toLocaleString('en-US')

/** `[██████░░░░] 60% 6,000/10,000 events  1,234 ev/s`, redrawn in place on a terminal. */
class ProgressBar {
  private readonly started = performance.now()
  private lastLine = ''
  private lastDecile = -1

  constructor(private readonly out: NodeJS.WriteStream) {}

  update(done: number, total: number): void {
    const ratio = total > 0 ? done / total : 1
    const width = 30
    const filled = Math.round(ratio * width)
    const seconds = (performance.now() - this.started) / 1000
    const rate = seconds > 0 ? Math.round(done / seconds) : 0
    const line = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.floor(ratio * 100)}% ${fmt(done)}/${fmt(total)} events  ${fmt(rate)} ev/s`
    if (this.out.isTTY) {
      this.out.write(`\r${line}\x1b[K`)
    } else {
      // A log file gets a line every 10% rather than thousands of redraws.
      const decile = Math.floor(ratio * 10)
      if (decile !== this.lastDecile) this.out.write(`${line}\n`)
      this.lastDecile = decile
    }
    this.lastLine = line
  }

  note(text: string): void {
    this.out.write(this.out.isTTY ? `\r\x1b[K${text}\n${this.lastLine}` : `${text}\n`)
  }

  done(): void {
    if (this.out.isTTY && this.lastLine) this.out.write('\n')
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`seed: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  },
)
