/** What the checkpoint tests share: reference states from the library, and a forged event. */
import Database from 'better-sqlite3'
import { SEED_CIPHER_KEY } from '../example/seedSettings'
import { AesGcmCipher, Application, createSqliteStore, Mapper } from '../eventsourcing'
import { cutState } from './dto'

/**
 * The state at `at` by a full verified replay from creation, through the library itself, cut
 * as getAggregate sends it (its first 100 entities, and how many there are).
 */
export async function referenceStates(path: string, id: string, versions: number[]) {
  const app = new Application({ store: createSqliteStore(path), cipherKey: SEED_CIPHER_KEY })
  try {
    const states = new Map<number, unknown>()
    for (const at of versions) {
      const { aggregate } = await app.replay(id, { at, useSnapshots: false })
      states.set(at, cutState(aggregate))
    }
    return states
  } finally {
    await app.close()
  }
}

/** Rewrites the stored event at `version` with another value, keeping its hash. */
export function forge(path: string, id: string, version: number): void {
  const mapper = new Mapper({ cipher: new AesGcmCipher(SEED_CIPHER_KEY) })
  const db = new Database(path)
  try {
    const row = db
      .prepare('SELECT topic, state FROM events WHERE originator_id = ? AND originator_version = ?')
      .get(id, version) as { topic: string; state: Buffer }
    const fields = mapper.decodeState({ originatorId: id, originatorVersion: version, ...row })
    const forged = mapper.toRecord(id, version, row.topic, {
      ...(fields as Record<string, unknown>),
      value: 'forged',
    })
    db.prepare(
      'UPDATE events SET state = ? WHERE originator_id = ? AND originator_version = ?',
    ).run(forged.state, id, version)
  } finally {
    db.close()
  }
}
