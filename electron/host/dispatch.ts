/**
 * What both transports (the desktop app's IPC, browser mode's WebSocket) need to answer a
 * request: the explorer's dispatch, which validates and runs it, and the envelope a transport
 * sends when it refuses a request itself (untrusted sender, malformed message) before dispatch.
 */
import type { ApiError } from '../../shared/contract'
import type { EnvelopeValue } from '../explorer/dispatch'

export { dispatch, type EnvelopeValue } from '../explorer/dispatch'

/** A request the transport refuses before dispatch: an error envelope without details. */
export function refusal(code: ApiError['code'], message: string): EnvelopeValue {
  return { ok: false, error: { code, message } }
}
