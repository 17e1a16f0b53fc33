/**
 * The Cassandra store's settings and its driver glue, checked without a node: keyspace names,
 * ports, schema agreement, which driver errors mean "unavailable", an unreachable contact point.
 */
import cassandra from 'cassandra-driver'
import { describe, expect, test, vi } from 'vitest'
import { cassandraTestSettings } from '../../../../../test/cassandraTestStore'
import { ConfigurationError, StoreUnavailable } from '../../../errors'
import {
  type CassandraSettings,
  cassandraClientOptions,
  checkKeyspaceName,
  createCassandraStore,
  isUnavailable,
  schemaAgreed,
} from './index'

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 })

/** The driver's error classes, some declared abstract: constructed as the driver does. */
const driverErrors = cassandra.errors as unknown as Record<
  string,
  new (...args: unknown[]) => Error & { isSocketError?: boolean }
>

describe('cassandra settings', () => {
  test('a keyspace name with CQL in it is rejected before anything is sent', async () => {
    for (const keyspace of [
      "x WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}; DROP KEYSPACE system_auth; --",
      'ks; DROP TABLE events',
      'a-b',
      '"quoted"',
      '1abc',
      '',
      'k'.repeat(49),
    ]) {
      await expect(
        createCassandraStore({ ...cassandraTestSettings(), keyspace }),
      ).rejects.toBeInstanceOf(ConfigurationError)
    }
    expect(checkKeyspaceName('EventScope_1')).toBe('eventscope_1')
  })

  test("discovered peers are reached on the contact points' port; mixed ports are a ConfigurationError", async () => {
    const settings = (contactPoints: string[]): CassandraSettings => ({
      contactPoints,
      localDataCenter: 'datacenter1',
      keyspace: 'ks',
    })
    const options = cassandraClientOptions(settings(['127.0.0.2:9142', '127.0.0.3:9142']))
    expect(options.protocolOptions?.port).toBe(9142)
    expect(options.contactPoints).toEqual(['127.0.0.2:9142', '127.0.0.3:9142'])
    expect(cassandraClientOptions(settings(['db1', 'db2:9042'])).protocolOptions?.port).toBe(9042)
    expect(cassandraClientOptions(settings(['[::1]:9142'])).protocolOptions?.port).toBe(9142)
    expect(cassandraClientOptions(settings(['::1'])).protocolOptions?.port).toBe(9042)
    for (const points of [
      ['10.0.0.1:9142', '10.0.0.2:9143'],
      ['10.0.0.1:9142', '10.0.0.2'],
    ]) {
      expect(() => cassandraClientOptions(settings(points))).toThrow(ConfigurationError)
      expect(() => cassandraClientOptions(settings(points))).toThrow(/same native port/)
    }
    expect(() => cassandraClientOptions(settings(['db:port']))).toThrow(ConfigurationError)
    expect(() => cassandraClientOptions(settings(['db:70000']))).toThrow(ConfigurationError)
    // Rejected before any connection is tried.
    await expect(
      createCassandraStore(settings(['127.0.0.1:1', '127.0.0.1:2'])),
    ).rejects.toBeInstanceOf(ConfigurationError)
  })

  test('schema agreement compares only the nodes that are up', () => {
    const versions = {
      local: { hostId: 'a', version: 'v2' },
      peers: [
        { hostId: 'b', version: 'v2' },
        { hostId: 'c', version: 'v1' }, // down since before the change
      ],
    }
    expect(schemaAgreed(versions, (id) => id !== 'c')).toBe(true)
    expect(schemaAgreed(versions, () => true)).toBe(false)
    expect(schemaAgreed({ ...versions, peers: [{ hostId: 'b', version: null }] }, () => true)).toBe(
      false,
    )
    expect(
      schemaAgreed({ ...versions, peers: [{ hostId: null, version: 'v1' }] }, () => true),
    ).toBe(true)
    // The driver's own wait would count the down node, for its whole wait, on every statement.
    const options = cassandraClientOptions(cassandraTestSettings())
    expect(options.protocolOptions?.maxSchemaAgreementWaitSeconds).toBe(0)
  })

  test('driver errors that leave a request unfinished are unavailability; others are not', () => {
    const socketClosed = new driverErrors.DriverError!('Socket was closed')
    socketClosed.isSocketError = true
    const codes = cassandra.types.responseErrorCodes
    for (const error of [
      socketClosed,
      new driverErrors.DriverInternalError!('No active connection found'),
      new driverErrors.NoHostAvailableError!({}),
      new driverErrors.OperationTimedOutError!('timeout'),
      new driverErrors.ResponseError!(codes.writeTimeout, 'CAS'),
      new driverErrors.ResponseError!(codes.serverError, 'boom'),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    ]) {
      expect(isUnavailable(error), error.message).toBe(true)
    }
    for (const error of [
      new driverErrors.ResponseError!(codes.syntaxError, 'line 1'),
      new driverErrors.ResponseError!(codes.invalid, 'bad'),
      new driverErrors.ArgumentError!('bad argument'),
      new driverErrors.AuthenticationError!('bad credentials'),
      new TypeError('not a driver error'),
    ]) {
      expect(isUnavailable(error), error.message).toBe(false)
    }
  })

  test('an unreachable contact point gives StoreUnavailable within a few seconds', async () => {
    const started = Date.now()
    const error = await createCassandraStore({
      contactPoints: ['127.0.0.1:1'],
      localDataCenter: 'datacenter1',
      keyspace: 'eventscope_unreachable',
      connectTimeoutMs: 1000,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreUnavailable)
    expect((error as Error).message).toContain('127.0.0.1:1')
    expect(Date.now() - started).toBeLessThan(5000)
  })
})
