// Names for what the instrumenter adds (globals, helper functions, exports) that cannot clash
// with anything the guest module already defines, whatever it chose to call its own items.

import type binaryen from 'binaryen'

function fresh(base: string, taken: (name: string) => boolean): string {
  if (!taken(base)) return base
  for (let n = 1; ; n++) {
    const name = `${base}_${n}`
    if (!taken(name)) return name
  }
}

export function freshFunctionName(module: binaryen.Module, base: string): string {
  return fresh(base, (name) => module.getFunction(name) !== 0)
}

export function freshGlobalName(module: binaryen.Module, base: string): string {
  return fresh(base, (name) => module.getGlobal(name) !== 0)
}

export function freshExportName(module: binaryen.Module, base: string): string {
  return fresh(base, (name) => module.getExport(name) !== 0)
}
