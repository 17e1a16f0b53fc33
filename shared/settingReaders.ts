/**
 * How the settings' variables are read (shared/settings.ts describes the settings themselves):
 * the text-to-value helpers whose messages follow the variable's name, and the value checks the
 * settings share. Pure TypeScript and zod only.
 */
import { z } from 'zod'

// ---------------------------------------------------------------- how variables are read

/** The text as set: undefined when absent. */
export const raw = z.string().optional()

/** Why a variable's text is refused: the message follows its name. */
class Problem {
  constructor(readonly message: string) {}
}
export const problem = (message: string) => new Problem(message)

/**
 * The value `read` makes of the text, or an issue when it finds a problem. Like every reader
 * here, built on first use (`z.lazy`; shared/schemas.ts says why).
 */
export function parsed<T>(read: (text: string | undefined) => T | Problem) {
  return z.lazy(() =>
    raw.transform((text, ctx) => {
      const value = read(text)
      if (!(value instanceof Problem)) return value
      ctx.addIssue({ code: 'custom', message: value.message })
      return z.NEVER
    }),
  )
}

/** Trimmed text; empty or absent: undefined. */
export const trimmed = () => z.lazy(() => raw.transform((text) => text?.trim() || undefined))

/** Trimmed text, or `fallback` when empty or absent. */
export const trimmedOr = (fallback: string) =>
  z.lazy(() => raw.transform((text) => text?.trim() || fallback))

/** 1/true/yes/on or 0/false/no/off (any case); empty or absent: false. */
export const strictFlag = () =>
  parsed((text) => {
    const value = text?.trim().toLowerCase()
    if (!value || ['0', 'false', 'no', 'off'].includes(value)) return false
    if (['1', 'true', 'yes', 'on'].includes(value)) return true
    return problem(`must be 1 or 0 (true/false, yes/no), not '${value.slice(0, 20)}'`)
  })

export const hostPort = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9.\-:[\]]+$/, 'expected host or host:port')

/** The AES key sizes in bytes; a key's base64 has 24, 32 or 44 characters. */
export const KEY_BYTES = [16, 24, 32]

/** Bytes of a base64 text (already checked to be base64): without decoding it. */
export const base64Bytes = (text: string) =>
  (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0)

/** A table or schema name as the library makes them (it is put into SQL). */
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

export interface PostgresTarget {
  readonly pgHost: string
  readonly pgPort: number
  readonly pgDatabase: string
  readonly pgUser?: string
  readonly pgPassword?: string
  readonly pgTls: boolean
}

/** A postgres:// (or postgresql://) URL's parts; undefined when it is not one. */
export function parsePostgresUrl(text: string): PostgresTarget | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return undefined
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return undefined
  const user = decodeURIComponent(url.username)
  const password = decodeURIComponent(url.password)
  const sslmode = url.searchParams.get('sslmode')
  return {
    pgHost: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    pgPort: url.port ? Number(url.port) : 5432,
    pgDatabase: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
    ...(user ? { pgUser: user } : {}),
    ...(password ? { pgPassword: password } : {}),
    pgTls: sslmode !== null && !['disable', 'allow', 'prefer'].includes(sslmode),
  }
}
