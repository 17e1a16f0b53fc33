import { describe, expect, it } from 'vitest'
import {
  ConnectionSettings,
  SETTINGS,
  settingNames,
  settingsIn,
  type SettingSpec,
} from './settings'

const specs = settingNames.map((name): [string, SettingSpec] => [name, SETTINGS[name]])

describe('the settings schema', () => {
  it('names each variable once', () => {
    const variables = specs.map(([, spec]) => spec.env)
    expect(new Set(variables).size).toBe(variables.length)
    for (const variable of variables) expect(variable).toMatch(/^[A-Z][A-Z0-9_]*$/)
  })

  it.each(specs)('%s: an absent or empty variable is its default, never an error', (_, spec) => {
    expect(spec.fromEnv.safeParse(undefined).success).toBe(true)
    expect(spec.fromEnv.safeParse('').success).toBe(true)
    expect(spec.doc.length).toBeGreaterThan(0)
    expect(spec.defaultDoc.length).toBeGreaterThan(0)
  })

  it('reads a cipher key as the bytes its base64 encodes, and never repeats it in a message', () => {
    const bytes = Array.from({ length: 32 }, (_, i) => i * 7 + 1)
    const text = btoa(String.fromCharCode(...bytes))
    expect([...(SETTINGS.cipherKey.fromEnv.parse(` ${text} `) ?? [])]).toEqual(bytes)
    const short = btoa('0123456789')
    const refused = SETTINGS.cipherKey.fromEnv.safeParse(short)
    expect(refused.success).toBe(false)
    expect(refused.error?.issues[0]?.message).toBe(
      'decodes to 10 bytes; an AES key must be 16, 24 or 32 bytes (e.g. `openssl rand -base64 32`)',
    )
    expect(JSON.stringify(refused.error?.issues)).not.toContain(short)
  })

  it("derives a connection's settings from the settings with a contract type", () => {
    expect(settingsIn('cassandra').filter((name) => 'value' in SETTINGS[name])).toEqual([
      'contactPoints',
      'localDataCenter',
      'keyspace',
      'username',
      'password',
      'tls',
    ])
    expect(
      ConnectionSettings.parse({
        kind: 'cassandra',
        contactPoints: ['db:9042'],
        localDataCenter: 'dc1',
        keyspace: 'ks',
        label: ' PROD ',
      }),
    ).toEqual({
      kind: 'cassandra',
      contactPoints: ['db:9042'],
      localDataCenter: 'dc1',
      keyspace: 'ks',
      label: 'PROD',
      tls: false,
    })
    // Settings only the environment sets are no part of a connection's.
    expect(
      ConnectionSettings.safeParse({
        kind: 'cassandra',
        contactPoints: ['db'],
        localDataCenter: 'dc1',
        keyspace: 'ks',
        replicationFactor: 3,
      }).success,
    ).toBe(false)
    expect(
      ConnectionSettings.safeParse({ kind: 'sqlite', sqliteDriver: 'node:sqlite' }).success,
    ).toBe(false)
    expect(ConnectionSettings.safeParse({ kind: 'memory', labelColour: 'pink' }).success).toBe(
      false,
    )
  })
})
