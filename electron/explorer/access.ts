/**
 * What a connection may do and how it is labelled: the cipher key compared with the store's key
 * check, read-only mode, and the environment label. The service's one write guard and its
 * ConnectionInfo both come from here.
 */
import type {
  ConnectionInfo,
  ConnectionSettings,
  KeyStatus,
  MethodName,
} from '../../shared/contract'
import { describeKeyCheck, isKeyMismatch, type KeyCheckResult } from '../eventsourcing'
import type { EverythingApplication } from '../example/everythingApplication'
import { ApiFailure } from './dispatch'

export function keyStatusOf(result: KeyCheckResult): KeyStatus {
  return {
    state: result.state,
    basis: result.basis,
    mismatch: isKeyMismatch(result.state),
    message: describeKeyCheck(result),
  }
}

/** Why writing is refused on this connection, in a user's words; undefined: writable. */
export function writeRefusal(
  readOnly: boolean,
  keyStatus: KeyStatus | undefined,
  locked = false,
): string | undefined {
  if (keyStatus?.mismatch) {
    return `nothing can be written until the cipher key is fixed. ${keyStatus.message}`
  }
  if (locked) {
    return 'this run was started with EVENTSCOPE_READ_ONLY=1: every connection is read-only. Restart without it to make changes.'
  }
  if (readOnly) {
    return 'the connection was opened read-only: nothing can be saved, seeded or changed. Reconnect without “Read-only” to make changes.'
  }
  return undefined
}

/** The label to show in the header, if the connection has one (grey unless a colour is given). */
export function connectionLabel(settings: ConnectionSettings): ConnectionInfo['label'] {
  if (settings.label === undefined) return undefined
  return { text: settings.label, colour: settings.labelColour ?? 'grey' }
}

/** What the connection info says of access: read-only or not, and why; the key status; the label. */
export function accessInfo(
  app: EverythingApplication | undefined,
  settings: ConnectionSettings | undefined,
  readOnlyLocked: boolean,
  /**
   * A Python store's connection: its `app` is an empty in-memory stand-in, whose key check
   * ("the store is empty") says nothing of the Python store; the session's own is given
   * (python/keyCheck.ts: its newest events read with the key).
   */
  python?: { keyStatus: KeyStatus | undefined },
): Pick<
  ConnectionInfo,
  'readOnly' | 'readOnlyReason' | 'requestedReadOnly' | 'keyStatus' | 'label'
> {
  const keyCheck = python ? undefined : app?.keyCheck.current
  const keyStatus = python ? python.keyStatus : keyCheck ? keyStatusOf(keyCheck) : undefined
  const label = settings ? connectionLabel(settings) : undefined
  // A Python store is read-only whatever the key: its reason stays that, the key's is keyStatus.
  const reason = app
    ? writeRefusal(app.readOnly, python ? undefined : keyStatus, readOnlyLocked)
    : undefined
  return {
    readOnly: reason !== undefined,
    ...(reason === undefined ? {} : { readOnlyReason: reason }),
    requestedReadOnly: settings?.readOnly === true,
    ...(readOnlyLocked ? { readOnlyLocked: true } : {}),
    ...(keyStatus ? { keyStatus } : {}),
    ...(label ? { label } : {}),
  }
}

/** Why `method` may not run on `app` (a ReadOnly failure), or undefined when it may write. */
export function writeRefused(
  method: MethodName,
  app: EverythingApplication,
  readOnlyLocked: boolean,
): ApiFailure | undefined {
  const keyCheck = app.keyCheck.current
  const reason = writeRefusal(
    app.readOnly,
    keyCheck ? keyStatusOf(keyCheck) : undefined,
    readOnlyLocked,
  )
  if (reason === undefined) return undefined
  return new ApiFailure({
    code: 'ReadOnly',
    message: `${method} was refused: ${reason}`,
    details: { method, reason: app.readOnly ? 'read-only' : keyCheck?.state },
  })
}
