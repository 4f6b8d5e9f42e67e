import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ISOLATED } from '../../vitest.config.js'

/**
 * Most test files share a process with the files a worker ran before them (vitest.config.ts). What one file leaves in
 * the process the next one sees, so what a file may change there is held here, read from the files' text.
 */
const ROOT = path.resolve(import.meta.dirname, '../..')
const files = fs
  .readdirSync(path.join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
  .map((f) => path.posix.join('test', f.split(path.sep).join('/')))
  .filter((f) => /^test\/(unit|integration)\/.*\.test\.ts$/.test(f))
const text = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8')
const shared = files.filter((f) => !ISOLATED.includes(f))

describe('the test projects', () => {
  it('take every unit and integration file', () => {
    expect(files.length).toBeGreaterThan(200)
    for (const f of ISOLATED) expect(files, f).toContain(f)
  })

  it('give a process of its own to every file that replaces a module, and only to those', () => {
    // A hoisted mock applies to modules imported after it: in a process that has imported them already it would
    // silently test the real module, and the mock would stay for the files after it.
    const mocking = files.filter((f) => /\bvi\s*\.\s*(mock|doMock|unmock|doUnmock)\s*\(/.test(text(f)))
    expect(mocking.sort()).toEqual([...ISOLATED].sort())
  })

  it('leave no fake clock, stubbed global or stubbed variable behind in a shared process', () => {
    for (const f of shared) {
      const src = text(f)
      if (/\bvi\.useFakeTimers\(/.test(src)) expect(src, f).toMatch(/\bvi\.useRealTimers\(/)
      if (/\bvi\.stubGlobal\(/.test(src)) expect(src, f).toMatch(/\bvi\.unstubAllGlobals\(/)
      if (/\bvi\.stubEnv\(/.test(src)) expect(src, f).toMatch(/\bvi\.unstubAllEnvs\(/)
      // Assigning process.env replaces Node's object with a plain one for every later file of the process.
      expect(src, f).not.toMatch(/\bprocess\.env\s*=[^=]/)
    }
  })
})
