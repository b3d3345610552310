// Whether this machine's python3 has a CUDA engine (PyTorch or CuPy): tests of the cuda
// backend's refusals only hold where there is none.
import { execFileSync } from 'node:child_process'

export const hasCudaEngine = (() => {
  try {
    const found = execFileSync(
      'python3',
      ['-c', 'import importlib.util as u; print(any(u.find_spec(m) for m in ("torch", "cupy")))'],
      { encoding: 'utf8' },
    )
    return found.trim() === 'True'
  } catch {
    return false
  }
})()
