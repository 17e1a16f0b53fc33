import { vi } from 'vitest'
import {
  methodNames,
  type ConnectionInfo,
  type ExplorerHandlers,
  type MethodName,
} from '../shared/contract'

/** What the fake getConnection answers: a valid ConnectionInfo, so responses pass the schema. */
export const fakeConnectionInfo: ConnectionInfo = {
  status: 'connected',
  kind: 'memory',
  description: 'in memory',
  encrypted: false,
  encryptionNote: 'Not encrypted',
  snapshotPeriod: 2,
  keySource: 'none',
  canRememberKey: false,
  readOnly: false,
  requestedReadOnly: false,
}

/**
 * Handlers for every contract method that record their calls: getConnection answers
 * fakeConnectionInfo, the others echo the (already validated) request. For transport tests,
 * which check wiring and validation, not the service.
 */
export function fakeHandlers(): { handlers: ExplorerHandlers; called: MethodName[] } {
  const called: MethodName[] = []
  const handlers = Object.fromEntries(
    methodNames.map((name) => [
      name,
      vi.fn(async (request: unknown) => {
        called.push(name)
        return name === 'getConnection' ? fakeConnectionInfo : { echoed: request }
      }),
    ]),
  ) as unknown as ExplorerHandlers
  return { handlers, called }
}
