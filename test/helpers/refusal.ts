// Runs code that must throw an error of one class, and returns that error for the test to
// check its code and message.

import { expect } from 'vitest'

export function expectRefusal<E extends Error>(run: () => unknown, type: new (...args: never[]) => E): E {
  try {
    run()
  } catch (err) {
    expect(err).toBeInstanceOf(type)
    return err as E
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`)
}
