import type { ConnectionSettings } from '../../shared/contract'

/**
 * Neither a store's password nor a cipher key may reach the UI, whatever a driver puts in a
 * message: each is replaced by •••.
 */
export function redactSecrets(
  message: string,
  settings: readonly (ConnectionSettings | undefined)[],
  keys: readonly (Uint8Array | undefined)[],
): string {
  const secrets: string[] = []
  for (const s of settings)
    if (s?.kind === 'cassandra' && s.password) secrets.push(s.password)
    else if (s?.kind === 'python-postgres' && s.pgPassword) secrets.push(s.pgPassword)
  for (const key of keys) if (key) secrets.push(Buffer.from(key).toString('base64'))
  let out = message
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('•••')
  return out
}
