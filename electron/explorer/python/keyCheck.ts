/**
 * What a Python store's data says of the cipher key: Python's library keeps no key check, so a
 * few of the newest stored events are read at connect (and on each key change, which reopens the
 * session). Encrypted or not is told from the bytes; the key is tried on the encrypted ones.
 * Reads only: nothing is recorded in the store.
 */
import type { KeyStatus } from '../../../shared/contract'
import { DataIntegrityError } from '../../eventsourcing'
import type { PythonCodec, PythonRecord } from './codec'
import type { PythonReader } from './reader'

/** Enough to tell a damaged row from a wrong key without reading much. */
const SAMPLE = 4

export interface PythonKeyCheck {
  /** Undefined: the store holds no event to tell from. */
  readonly keyStatus: KeyStatus | undefined
  /** Whether the stored events are encrypted; undefined when there is none to look at. */
  readonly encrypted: boolean | undefined
  /** The store's events are plain JSON: a row that is not is damaged, not encrypted. */
  readonly plain: boolean
}

/** The newest few events: from the notification log, else the first aggregate's. */
async function sample(reader: PythonReader): Promise<PythonRecord[]> {
  const last = await reader.lastNotificationId()
  if (last !== undefined) return reader.notifications(Math.max(0, last - SAMPLE), SAMPLE)
  const [first] = (await reader.listAggregates({ limit: 1 })).items
  return first ? reader.events(first.originatorId, { desc: true, limit: SAMPLE }) : []
}

export async function checkPythonKey(
  reader: PythonReader,
  codec: PythonCodec,
): Promise<PythonKeyCheck> {
  const records = await sample(reader)
  if (records.length === 0) return { keyStatus: undefined, encrypted: undefined, plain: false }
  // A damaged row looks encrypted too (neither JSON nor zlib): the store is told by most rows,
  // or by the key opening one.
  const sealed = records.filter((r) => codec.isEncrypted(r.state))
  const opened = codec.hasKey && sealed.some((r) => decodes(codec, r))
  const encrypted = opened || sealed.length * 2 >= records.length
  const plain = !encrypted && records.every((r) => codec.isEncrypted(r.state) || decodes(codec, r))
  const status = (state: KeyStatus['state'], message: string): KeyStatus => ({
    state,
    basis: 'stored-event',
    mismatch: state === 'missing-key' || state === 'wrong-key' || state === 'unexpected-key',
    message,
  })
  const n = `${records.length === 1 ? 'its newest event' : `its ${records.length} newest events`}`
  if (!encrypted) {
    const keyStatus = codec.hasKey
      ? status(
          'unexpected-key',
          `This store is not encrypted (read from ${n}), but a cipher key is set: the key is not used to read it.`,
        )
      : status('verified', `This store is not encrypted (read from ${n}): no cipher key is needed.`)
    return { keyStatus, encrypted: false, plain }
  }
  if (!codec.hasKey) {
    return {
      keyStatus: status(
        'missing-key',
        "This store is encrypted, but no cipher key is set: its events cannot be read. Enter the application's CIPHER_KEY.",
      ),
      encrypted: true,
      plain: false,
    }
  }
  return {
    keyStatus: opened
      ? status('verified', `The cipher key decrypts this store's events (checked on ${n}).`)
      : status(
          'wrong-key',
          `This key does not decrypt this store's events (tried on ${n}): it is not the key the application wrote them with (or they are damaged). Enter the application's CIPHER_KEY.`,
        ),
    encrypted: true,
    plain: false,
  }
}

function decodes(codec: PythonCodec, record: PythonRecord): boolean {
  try {
    codec.decode(record)
    return true
  } catch (error) {
    if (!(error instanceof DataIntegrityError)) throw error
    return false
  }
}
