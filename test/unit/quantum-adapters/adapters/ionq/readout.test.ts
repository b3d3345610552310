import { describe, expect, it } from 'vitest'
import { apportion } from '../../../../../quantum-adapters/adapters/apportion.ts'
import { countsFromStateProbabilities } from '../../../../../quantum-adapters/adapters/ionq/ionq-counts.ts'
import {
  decodeLayout,
  encodeLayout,
  joinEntries,
  layoutEntries,
  layoutFromEntries,
  type ReadoutLayout,
  splitEntries,
} from '../../../../../quantum-adapters/adapters/readout-layout.ts'
import { readoutPlan } from '../../../../../quantum-adapters/adapters/readout-plan.ts'
import { QpuError } from '../../../../../quantum-adapters/errors.ts'
import { circuit } from './circuits.ts'

describe('readout plan', () => {
  it('records the qubit each clbit finally reads', () => {
    const c = circuit(
      [['q', 3]],
      [
        ['a', 2],
        ['b', 2],
      ],
    )
      .gate('h', [0])
      .measure(0, 3)
      .measure(2, 0)
      .measure(1, 0)
      .build()
    expect(readoutPlan(c, 'ionq', 'IonQ')).toEqual({
      clbitSource: [1, null, null, 0],
      measuredQubits: [0, 1],
    })
  })

  it('allows measuring a qubit twice and gates on other qubits after a measurement', () => {
    const c = circuit([['q', 2]], [['c', 2]])
      .measure(0, 0)
      .gate('x', [1])
      .barrier([0, 1])
      .measure(0, 1)
      .build()
    expect(readoutPlan(c, 'braket', 'Amazon Braket').clbitSource).toEqual([0, 0])
  })

  it('refuses a gate on a measured qubit, naming the operation', () => {
    const c = circuit([['q', 2]], [['c', 1]])
      .measure(1, 0)
      .gate('cx', [0, 1])
      .build()
    expect(() => readoutPlan(c, 'ionq', 'IonQ')).toThrow(
      /operation 2 \(cx\) acts on qubit 1 after it was measured/,
    )
    expect(() => readoutPlan(c, 'ionq', 'IonQ')).toThrow(QpuError)
  })
})

describe('readout layout', () => {
  const layout: ReadoutLayout = {
    numQubits: 3,
    depth: 4,
    shots: 1000,
    cregs: [
      { name: 'a', size: 2, offset: 0 },
      { name: 'flag_1', size: 1, offset: 2 },
    ],
    clbitSource: [2, null, 0],
  }

  it('round-trips through its text form, also when cut into entries', () => {
    const text = encodeLayout(layout)
    expect(text).toBe('v1 q=3 d=4 s=1000 r=a:2:0/flag_1:1:2 m=2/-/0')
    expect(text).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u)
    expect(decodeLayout(text)).toEqual(layout)
    const entries = splitEntries(text, 'hcx-layout-', 10)
    expect(Object.keys(entries)).toHaveLength(5)
    expect(joinEntries({ ...entries, other: 'x' }, 'hcx-layout-')).toBe(text)
    expect(joinEntries({ other: 'x' }, 'hcx-layout-')).toBeUndefined()
  })

  it('travels in a job’s entries, or says why not when it needs more of them than allowed', () => {
    const c = circuit([['q', 2]], [['c', 2]])
      .gate('h', [0])
      .measure(1, 0)
      .build()
    const plan = readoutPlan(c, 'ionq', 'IonQ')
    const entries = layoutEntries(c, 100, plan, { size: 8, maxEntries: 10, where: 'the metadata' })
    if (typeof entries === 'string') throw new Error(entries)
    expect(layoutFromEntries({ ...entries, other: 'x' })).toMatchObject({
      numQubits: 2,
      shots: 100,
      cregs: c.cregs,
      clbitSource: [1, null],
    })
    expect(layoutFromEntries({ other: 'x' })).toBeUndefined()
    expect(layoutFromEntries({ 'hcx-layout-0': 'v9 q=1' })).toBe("unknown layout version 'v9'")
    expect(layoutEntries(c, 100, plan, { size: 8, maxEntries: 2, where: 'the metadata' })).toMatch(
      /^its classical layout \(\d+ characters\) does not fit in the metadata$/,
    )
  })

  it('round-trips a circuit without classical bits', () => {
    const empty: ReadoutLayout = { numQubits: 1, depth: 1, shots: 5, cregs: [], clbitSource: [] }
    expect(decodeLayout(encodeLayout(empty))).toEqual(empty)
  })

  it.each([
    'v2 q=3 d=4 s=1 r= m=',
    'v1 q=3 d=4 r= m=',
    'v1 q=3 d=4 s=1 r=a:2:0 m=0',
    'v1 q=1 d=1 s=1 r=a:1:0 m=5',
    'v1 q=x d=1 s=1 r= m=',
  ])('rejects %s', (text) => {
    expect(typeof decodeLayout(text)).toBe('string')
  })
})

describe('largest-remainder apportioning', () => {
  it('sums to the shots and stays within one shot of each share', () => {
    const weights = new Map([
      ['a', 1 / 3],
      ['b', 1 / 3],
      ['c', 1 / 3],
    ])
    const counts = apportion(weights, 100)
    expect([...counts.values()].reduce((s, n) => s + n, 0)).toBe(100)
    expect(Object.fromEntries(counts)).toEqual({ a: 34, b: 33, c: 33 })
  })

  it('drops outcomes that get no shot', () => {
    expect(
      Object.fromEntries(
        apportion(
          new Map([
            ['x', 0.999],
            ['y', 0.001],
          ]),
          10,
        ),
      ),
    ).toEqual({ x: 10 })
  })
})

describe('IonQ probabilities as counts', () => {
  it('reads qubit 0 from the least significant bit of the state', () => {
    // State 1 = qubit 0 set. c[0] reads qubit 1, c[1] reads qubit 0: the key is c[1]c[0] = "10".
    const layout: ReadoutLayout = {
      numQubits: 2,
      depth: 1,
      shots: 8,
      cregs: [{ name: 'c', size: 2, offset: 0 }],
      clbitSource: [1, 0],
    }
    expect(countsFromStateProbabilities({ '1': 0.75, '2': 0.25 }, layout)).toEqual({ '01': 2, '10': 6 })
  })
})
