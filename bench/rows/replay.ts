/**
 * Replay of one 10,000-event aggregate from SQLite, hash check on: Eventscope (plain and
 * AES-GCM), Python eventsourcing 9.5.6, Emmett and the raw better-sqlite3 read of Eventscope's
 * rows, interleaved. Each library reads rows it wrote itself, with the same event content
 * (name, value, timestamp, previous hash, hash; see bench/README.md).
 */
import { createHash, randomUUID } from 'node:crypto'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { buildReplayFixture } from '../fixture'
import { emmettMissing, openEmmett, type EmmettEvent } from '../lib/emmett'
import {
  atLeast,
  atMost,
  interleave,
  median,
  round,
  skipped,
  timed,
  type BenchModule,
  type Contender,
  type RowResult,
} from '../lib/harness'
import { pythonMissing, startPython } from '../lib/python'

const ROWS = {
  python: {
    id: 'replay-python',
    label: 'replay 10k, SQLite, hash on: Python eventsourcing ÷ Eventscope',
    goal: atLeast(5, '≥ 5×'),
  },
  emmett: {
    id: 'replay-emmett',
    label: 'the same: Emmett ÷ Eventscope',
    goal: atLeast(1.5, '≥ 1.5×'),
  },
  raw: {
    id: 'replay-raw',
    label: 'the same: Eventscope ÷ raw better-sqlite3 read',
    goal: atMost(2, '≤ 2×'),
  },
  aes: {
    id: 'replay-encrypted',
    label: 'encrypted replay ÷ plain replay (Eventscope)',
    goal: atMost(1.3, '≤ 1.3×'),
  },
} as const

const hexOf = (i: number): string => createHash('sha256').update(String(i)).digest('hex')

export const replayModule: BenchModule = {
  name: 'replay',
  rows: Object.values(ROWS).map((r) => r.id),
  async run({ quick, folder, log }) {
    const count = quick ? 1_000 : 10_000
    const [rounds, warmup] = quick ? [3, 1] : [15, 3]
    log(`replay: building ${count.toLocaleString('en')}-event aggregates`)
    const plain = await buildReplayFixture({
      path: join(folder, 'es-plain.sqlite'),
      count,
      cipher: false,
      compress: false,
    })
    const aes = await buildReplayFixture({
      path: join(folder, 'es-aes.sqlite'),
      count,
      cipher: true,
      compress: false,
    })
    const eventscope = (key: string, built: typeof plain): Contender => ({
      key,
      run: async () => {
        let version: number | undefined
        const ms = await timed(async () => {
          version = (await built.app.repository.replay(built.id)).aggregate?.version
        })
        if (version !== count - 1) throw new Error(`${key}: replay incomplete`)
        return ms
      },
    })
    const contenders: Contender[] = [
      eventscope('eventscope', plain),
      eventscope('eventscopeAes', aes),
    ]

    // The floor: the same rows Eventscope wrote, read and JSON-parsed with no library code.
    const db = new Database(join(folder, 'es-plain.sqlite'), { readonly: true })
    const select = db
      .prepare(
        'SELECT originator_id, originator_version, topic, state FROM events WHERE originator_id = ? ORDER BY originator_version ASC',
      )
      .raw(true)
    contenders.push({
      key: 'raw',
      run: async () => {
        let n = 0
        const ms = await timed(() => {
          const rows = select.all(plain.id) as [string, number, string, Buffer][]
          // Format 2 states (format byte bit 2) carry the 32-byte hash and 3 offsets before the
          // JSON; format 1 states are JSON after the format byte.
          for (const row of rows) {
            const state = row[3]
            if (JSON.parse(state.toString('utf8', state[0]! & 4 ? 39 : 1))) n++
          }
        })
        if (n !== count) throw new Error('raw read incomplete')
        return ms
      },
    })

    // The same floor with the text cut out in SQL, as Eventscope now reads plain format 2 rows
    // (selectSplit): a string per row instead of a Buffer. The goal is judged against the
    // faster of the two floors, so that the library gains no trick the floor lacks.
    const selectText = db
      .prepare(
        "SELECT originator_version, topic, CASE WHEN substr(state, 1, 1) = x'04' THEN CAST(substr(state, 40) AS TEXT) ELSE state END FROM events WHERE originator_id = ? ORDER BY originator_version ASC",
      )
      .raw(true)
    contenders.push({
      key: 'rawText',
      run: async () => {
        let n = 0
        const ms = await timed(() => {
          const rows = selectText.all(plain.id) as [number, string, string | Buffer][]
          for (const row of rows) {
            const state = row[2]
            const text = typeof state === 'string' ? state : state.toString('utf8', 1)
            if (JSON.parse(text)) n++
          }
        })
        if (n !== count) throw new Error('raw text read incomplete')
        return ms
      },
    })

    const notes: string[] = []
    const python = pythonMissing()
      ? undefined
      : await startPython('replay.py', [
          '--events',
          String(count),
          '--db',
          join(folder, 'python.sqlite'),
        ])
    if (python) {
      notes.push(
        `${python.ready['library'] as string} on Python ${python.ready['python'] as string}`,
      )
      contenders.push({ key: 'python', run: async () => (await python.ask('get'))['ms'] as number })
    }

    const emmett = emmettMissing() ? undefined : await openEmmett(join(folder, 'emmett.sqlite'))
    if (emmett) {
      notes.push(`emmett-sqlite ${emmett.version} (one shared connection)`)
      const stream = `example-${randomUUID()}`
      let batch: EmmettEvent[] = [
        {
          type: 'Created',
          data: {
            foo: 'start',
            timestamp: new Date().toISOString(),
            previousHash: '',
            hash: hexOf(0),
          },
        },
      ]
      for (let i = 1; i < count; i++) {
        batch.push({
          type: 'AttributeChanged',
          data: {
            name: '_foo',
            value: `value ${i}`,
            timestamp: new Date().toISOString(),
            previousHash: hexOf(i - 1),
            hash: hexOf(i),
          },
        })
        if (i % 1000 === 0) {
          await emmett.store.appendToStream(stream, batch)
          batch = []
        }
      }
      if (batch.length) await emmett.store.appendToStream(stream, batch)
      type State = { foo: string; version: number }
      const evolve = (state: State, event: EmmettEvent): State =>
        event.type === 'Created'
          ? { foo: event.data['foo'] as string, version: 0 }
          : { ...state, foo: event.data['value'] as string, version: state.version + 1 }
      contenders.push({
        key: 'emmett',
        run: async () => {
          let version = -1
          const ms = await timed(async () => {
            const { state } = await emmett.store.aggregateStream<State>(stream, {
              evolve,
              initialState: () => ({ foo: '', version: -1 }),
            })
            version = state.version
          })
          if (version !== count - 1) throw new Error(`Emmett: replay incomplete (${version})`)
          return ms
        },
      })
    }

    try {
      const times = await interleave(contenders, rounds, warmup, (r) =>
        log(`replay: round ${r}/${rounds + warmup}`),
      )
      const med = (key: string): number => median(times.get(key)!)
      const es = med('eventscope')
      const figures = (keys: string[]): Record<string, number> =>
        Object.fromEntries(keys.map((k) => [`${k}MedianMs`, round(med(k), 3)]))
      const common = `${count.toLocaleString('en')} events, medians of ${rounds} interleaved rounds`
      const rows: RowResult[] = []
      const { python: p, emmett: e, raw, aes: a } = ROWS
      rows.push(
        python
          ? {
              ...p,
              value: round(med('python') / es),
              unit: '×',
              figures: figures(['python', 'eventscope']),
              note: `${common}; ${notes[0]}`,
            }
          : skipped(p.id, p.label, p.goal, '×', pythonMissing()!),
      )
      rows.push(
        emmett
          ? {
              ...e,
              value: round(med('emmett') / es),
              unit: '×',
              figures: figures(['emmett', 'eventscope']),
              note: `${common}; ${notes[notes.length - 1]}`,
            }
          : skipped(e.id, e.label, e.goal, '×', emmettMissing()!),
      )
      const floor = Math.min(med('raw'), med('rawText'))
      rows.push({
        ...raw,
        value: round(es / floor),
        unit: '×',
        figures: figures(['eventscope', 'raw', 'rawText']),
        note: `${common}; raw = the faster of .raw().all() + JSON.parse of each state (BLOB read) and the same with the JSON cut out as text in SQL (rawText)`,
      })
      rows.push({
        ...a,
        value: round(med('eventscopeAes') / es),
        unit: '×',
        figures: figures(['eventscopeAes', 'eventscope']),
        note: `${common}; AES-128-GCM per record (Node crypto; a replay decrypts a page of records at once, gcmBatch.ts), compression off in both`,
      })
      return rows
    } finally {
      await python?.close()
      emmett?.close()
      db.close()
      await plain.app.close()
      await aes.app.close()
    }
  },
}
