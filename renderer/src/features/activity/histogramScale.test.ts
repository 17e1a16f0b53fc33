import { describe, expect, it } from 'vitest'
import { labelIndices, yTicks } from './histogramScale'

describe('yTicks', () => {
  it('steps by 1, 2 or 5 times a power of ten up to the first tick at or above the maximum', () => {
    expect(yTicks(5)).toEqual([0, 2, 4, 6])
    expect(yTicks(8)).toEqual([0, 2, 4, 6, 8])
    expect(yTicks(37)).toEqual([0, 10, 20, 30, 40])
    expect(yTicks(1234)).toEqual([0, 500, 1000, 1500])
  })

  it('never steps by less than one event', () => {
    expect(yTicks(1)).toEqual([0, 1])
    expect(yTicks(2)).toEqual([0, 1, 2])
    expect(yTicks(0)).toEqual([0, 1])
  })
})

describe('labelIndices', () => {
  it('spreads the labels evenly, away from both edges', () => {
    expect(labelIndices(60)).toEqual([6, 18, 30, 42, 54])
    expect(labelIndices(10, 2)).toEqual([2, 7])
  })

  it('labels every bucket when there are fewer than labels', () => {
    expect(labelIndices(3)).toEqual([0, 1, 2])
    expect(labelIndices(0)).toEqual([])
  })
})
