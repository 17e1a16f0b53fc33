import { describe, expect, test } from 'vitest'
import { DataIntegrityError } from '../errors'
import { TopicRegistry } from '../domain/topics'
import { UnregisteredValue } from '../domain/valueTypes'
import { JsonTranscoder } from './transcoder'

const transcoder = new JsonTranscoder()

function failure(run: () => unknown): Error {
  try {
    run()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a failure')
}

describe('JsonTranscoder edges', () => {
  test('text that is not JSON is refused as damaged data, with the parse error as cause', () => {
    const error = failure(() => transcoder.decode('{"a":'))
    expect(error).toBeInstanceOf(DataIntegrityError)
    expect(error.message).toMatch(/^stored state is not valid JSON: ./)
    expect(error.cause).toBeInstanceOf(SyntaxError)
  })

  test('a tagged value that cannot be revived is damaged data, with the cause', () => {
    const error = failure(() => transcoder.decode('{"a":{"_t_":"uuid","_v_":"not a uuid"}}'))
    expect(error).toBeInstanceOf(DataIntegrityError)
    expect(error.message).toMatch(/^stored state cannot be decoded: ./)
    expect(error.cause).toBeInstanceOf(Error)
    expect(error.cause).not.toBeInstanceOf(DataIntegrityError)
  })

  test('one tagged value that is not a date timestamp is revived by its own tag', () => {
    expect(transcoder.decode('{"timestamp":null,"a":{"_t_":"bigint","_v_":"5"}}')).toEqual({
      timestamp: null,
      a: 5n,
    })
    expect(transcoder.decode('{"timestamp":{"_t_":"bigint","_v_":"5"}}')).toEqual({ timestamp: 5n })
    expect(transcoder.decode('{"a":{"_t_":"bigint","_v_":"5"}}')).toEqual({ a: 5n })
    expect(
      transcoder.decode('{"timestamp":{"_t_":"date","_v_":"2026-01-02T03:04:05.000Z"}}'),
    ).toEqual({
      timestamp: new Date('2026-01-02T03:04:05.000Z'),
    })
  })

  test('tags are found by their text as encode writes it: a key spelled with an escape is no tag', () => {
    // encode never writes the key escaped; the text has no "_t_", so nothing is revived.
    expect(transcoder.decode('{"a":{"\\u005ft_":"bigint","_v_":"5"}}')).toEqual({
      a: { _t_: 'bigint', _v_: '5' },
    })
  })

  test('undefined fields are left out, in arrays written as null', () => {
    const text = transcoder.encode({ a: undefined, b: [undefined, 1], c: { d: undefined, e: 2 } })
    expect(text).toBe('{"b":[null,1],"c":{"e":2}}')
  })

  test('symbols and functions are refused, naming their kind', () => {
    expect(() => transcoder.encode({ s: Symbol('x') })).toThrow(
      new TypeError('cannot transcode a symbol'),
    )
    expect(() => transcoder.encode({ f: () => 1 })).toThrow(
      new TypeError('cannot transcode a function'),
    )
  })

  test('instances of several classes, in runs and mixed, are each revived with their own class', () => {
    class Left {
      side(): string {
        return 'left'
      }
    }
    class Right {
      side(): string {
        return 'right'
      }
    }
    const registry = new TopicRegistry()
    registry.register('edges#Left', Left)
    registry.register('edges#Right', Right)
    const own = new JsonTranscoder(registry)
    const values = [new Left(), new Left(), new Right(), new Left(), new Right(), new Right()]
    values.forEach((v, i) => Object.assign(v, { i }))
    const back = own.decode(own.encode({ values, nested: { one: new Right() } })) as {
      values: Array<Left | Right>
      nested: { one: Right }
    }
    expect(back.values.map((v) => v.side())).toEqual(values.map((v) => v.side()))
    expect(back.values.map((v) => (v as unknown as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5])
    expect(back.nested.one).toBeInstanceOf(Right)
    // An unregistered class among registered ones is kept as such, the others still revived.
    const mixed =
      '[{"_t_":"obj","_c_":"edges#Left","_v_":{}},{"_t_":"obj","_c_":"edges#Gone","_v_":{"a":1}},{"_t_":"obj","_c_":"edges#Left","_v_":{}}]'
    const [a, gone, b] = own.decode(mixed) as unknown[]
    expect(a).toBeInstanceOf(Left)
    expect(gone).toBeInstanceOf(UnregisteredValue)
    expect(b).toBeInstanceOf(Left)
  })

  test('a stored instance whose fields set __proto__ is damaged data, not another prototype', () => {
    class Held {}
    const registry = new TopicRegistry()
    registry.register('edges#Held', Held)
    const own = new JsonTranscoder(registry)
    const error = failure(() =>
      own.decode('{"a":{"_t_":"obj","_c_":"edges#Held","_v_":{"__proto__":{"x":1}}}}'),
    )
    expect(error).toBeInstanceOf(DataIntegrityError)
    expect(error.message).toMatch(/edges#Held sets __proto__/)
    expect(own.decode('{"a":{"_t_":"obj","_c_":"edges#Held","_v_":{"x":1}}}')).toEqual({
      a: Object.assign(new Held(), { x: 1 }),
    })
  })
})
