// The node's LevelDB store: typed JSON sublevels and atomic batches across them. A multi-key
// change goes through `batch` so it lands whole or not at all.

import type { AbstractSublevel } from 'abstract-level'
import { Level } from 'level'
import { describeError } from '../../errors/hcx-error.ts'
import { StoreError } from './errors.ts'
import { SUBLEVEL_NAMES, type SublevelName, type SublevelValues } from './schema.ts'

type Sublevel<V> = AbstractSublevel<Level<string, string>, string | Uint8Array | Buffer, string, V>

export type StoreOperation = {
  [N in SublevelName]:
    | { type: 'put'; sublevel: N; key: string; value: SublevelValues[N] }
    | { type: 'del'; sublevel: N; key: string }
}[SublevelName]

export class Store {
  readonly path: string
  private readonly db: Level<string, string>
  private readonly sublevels: { [N in SublevelName]: Sublevel<SublevelValues[N]> }

  private constructor(path: string, db: Level<string, string>) {
    this.path = path
    this.db = db
    const entries = SUBLEVEL_NAMES.map((name) => [
      name,
      db.sublevel<string, unknown>(name, { valueEncoding: 'json' }),
    ])
    this.sublevels = Object.fromEntries(entries) as unknown as Store['sublevels']
  }

  static async open(path: string): Promise<Store> {
    const db = new Level<string, string>(path)
    try {
      await db.open()
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause
      if (cause?.code === 'LEVEL_LOCKED' || /lock/i.test(cause?.message ?? '')) {
        throw new StoreError(
          { code: 'STORE_LOCKED', path },
          `the store at ${path} is in use by another process; stop the other hcx node or use another --data-dir`,
          { cause: err },
        )
      }
      throw new StoreError(
        { code: 'STORE_OPEN_FAILED', path },
        `cannot open the store at ${path}: ${describeError(cause ?? err)}`,
        { cause: err },
      )
    }
    return new Store(path, db)
  }

  async get<N extends SublevelName>(sublevel: N, key: string): Promise<SublevelValues[N] | undefined> {
    return this.sublevels[sublevel].get(key)
  }

  async put<N extends SublevelName>(sublevel: N, key: string, value: SublevelValues[N]): Promise<void> {
    await this.sublevels[sublevel].put(key, value)
  }

  async entries<N extends SublevelName>(sublevel: N): Promise<Array<[string, SublevelValues[N]]>> {
    return this.sublevels[sublevel].iterator().all()
  }

  /** Applies all operations atomically, across sublevels. */
  async batch(operations: StoreOperation[]): Promise<void> {
    if (operations.length === 0) return
    await this.db.batch(
      operations.map((op) =>
        op.type === 'put'
          ? { type: 'put', sublevel: this.sublevels[op.sublevel], key: op.key, value: op.value }
          : { type: 'del', sublevel: this.sublevels[op.sublevel], key: op.key },
      ) as never,
    )
  }

  async close(): Promise<void> {
    await this.db.close()
  }
}
