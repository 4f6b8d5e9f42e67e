import path from 'node:path'

export const BENCH_ROOT = path.resolve(import.meta.dirname, '..')
export const ROOT = path.resolve(BENCH_ROOT, '..')
