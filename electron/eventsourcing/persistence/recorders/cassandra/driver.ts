import cassandra from 'cassandra-driver'

// The driver's classes and the request settings shared by the modules of this store.

export const { Client, types, errors, auth } = cassandra
export type Client = InstanceType<typeof Client>
export type Row = cassandra.types.Row
export type Long = cassandra.types.Long
export const Long = types.Long
export const TimeUuid = types.TimeUuid

export const QUORUM = types.consistencies.quorum
export const SERIAL = types.consistencies.serial

export const FETCH_SIZE = 5000

export function long(value: unknown): number {
  return (value as Long).toNumber()
}

/** A Buffer over the same bytes (no copy), as the driver wants for blobs. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
