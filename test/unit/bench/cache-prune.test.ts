import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { pruneStale } from '../../../bench/lib/cache.js'

let dir: string
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

it("a new build's clean-up keeps every build a symlink names, and what other sizes or others own", () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-cache-prune-'))
  const elsewhere = fs.mkdtempSync(path.join(dir, 'main-'))
  const file = (name: string) => fs.writeFileSync(path.join(dir, name), name)
  const link = (name: string, target: string) => fs.symlinkSync(target, path.join(dir, name))
  fs.writeFileSync(path.join(elsewhere, 'listings-10-main.sqlite'), 'main')

  file('listings-10-new.sqlite')
  // Kept on purpose under later names, as the lead does when the rows stay the same: it and its names stay.
  file('listings-10-old.sqlite')
  file('listings-10-old.sqlite-shm')
  link('listings-10-later.sqlite', 'listings-10-old.sqlite')
  link('listings-10-latest.sqlite', path.join(dir, 'listings-10-old.sqlite'))
  // Superseded and named by nothing: goes, with its side files and an interrupted build.
  file('listings-10-gone.sqlite')
  file('listings-10-gone.sqlite-wal')
  file('listings-10-half.sqlite.partial')
  // A link to a build that is not there any more: goes. One into another cache (a worktree's): stays.
  link('listings-10-broken.sqlite', 'listings-10-never.sqlite')
  link('listings-10-main.sqlite', path.join(elsewhere, 'listings-10-main.sqlite'))
  // Another size (the same listings in ten districts is another), and what is not the cache's.
  file('listings-100-old.sqlite')
  file('listings-10-d10-old.sqlite')
  file('notes.txt')

  pruneStale(dir, 10, path.join(dir, 'listings-10-new.sqlite'))

  expect(
    fs
      .readdirSync(dir)
      .filter((f) => !f.startsWith('main-'))
      .sort(),
  ).toEqual([
    'listings-10-d10-old.sqlite',
    'listings-10-later.sqlite',
    'listings-10-latest.sqlite',
    'listings-10-main.sqlite',
    'listings-10-new.sqlite',
    'listings-10-old.sqlite',
    'listings-10-old.sqlite-shm',
    'listings-100-old.sqlite',
    'notes.txt',
  ])
  expect(fs.readFileSync(path.join(dir, 'listings-10-later.sqlite'), 'utf8')).toBe('listings-10-old.sqlite')
  expect(fs.readFileSync(path.join(dir, 'listings-10-main.sqlite'), 'utf8')).toBe('main')
})
