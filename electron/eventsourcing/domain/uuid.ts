import { randomUUID } from 'node:crypto'

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A UUID value. Kept as its own class so the transcoder can tag it (the seed's uuid.UUID). */
export class UUID {
  readonly hex: string
  constructor(value: string) {
    const lower = value.toLowerCase()
    if (!UUID_PATTERN.test(lower)) throw new TypeError(`not a UUID: '${value}'`)
    this.hex = lower
  }
  static v4(): UUID {
    return new UUID(randomUUID())
  }
  toString(): string {
    return this.hex
  }
  toJSON(): string {
    return this.hex
  }
  equals(other: unknown): boolean {
    return other instanceof UUID && other.hex === this.hex
  }
}

export function isUuidString(value: string): boolean {
  return UUID_PATTERN.test(value)
}

export function newOriginatorId(): string {
  return randomUUID()
}
