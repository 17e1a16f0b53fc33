import { describe, expect, test } from 'vitest'
import { ExplorerError } from '../../../shared/contract'
import { conflictSentence, describeError, plainMessage } from './errors'
import { toUiError } from './errors'
import { storeDetail } from '../lib/storeLabel'

describe('wording', () => {
  test('a conflict says which version was expected free and how far the store is', () => {
    const text = conflictSentence('Client B', {
      aggregateId: 'a',
      expectedVersion: 4,
      actualVersion: 4,
      winningEvents: [],
    })
    expect(text).toBe(
      'Client B expected version 4 to be free; the store already holds versions up to 4 (written by another client)',
    )
    expect(text).not.toMatch(/actual version/i)
  })

  test('a ValidationError shows its issues in words, without the validator syntax', () => {
    const error = new ExplorerError({
      code: 'ValidationError',
      message:
        'invalid setCipherKey request: ✖ expected base64 of 16, 24 or 32 bytes\n  → at keyBase64',
      details: [{ path: ['keyBase64'], message: 'this is not a cipher key.' }],
    })
    expect(describeError(error).message).toBe('This is not a cipher key.')
    expect(toUiError(error).message).toBe('This is not a cipher key.')
    expect(toUiError(error).message).not.toMatch(/✖|→|keyBase64|setCipherKey/)
  })

  test('other errors keep their message', () => {
    expect(plainMessage('StoreUnavailable', 'down', [{ message: 'x' }])).toBe('down')
    expect(plainMessage('ValidationError', 'bad', undefined)).toBe('bad')
  })

  test('the status pill names the kind once and keeps the keyspace first', () => {
    expect(
      storeDetail({
        description: 'Cassandra 127.0.0.1:9042, keyspace eventscope_e2e',
        settings: {
          kind: 'cassandra',
          contactPoints: ['127.0.0.1:9042'],
          localDataCenter: 'datacenter1',
          keyspace: 'eventscope_e2e',
          tls: false,
        },
      }),
    ).toBe('keyspace eventscope_e2e on 127.0.0.1:9042')
    expect(storeDetail({ description: 'SQLite: /tmp/a.db' })).toBe('/tmp/a.db')
    expect(storeDetail({ description: 'Memory: in-memory (nothing is kept after exit)' })).toBe(
      '(nothing is kept after exit)',
    )
  })
})
