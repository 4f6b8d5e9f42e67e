import fs from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { hash, verify } from '@node-rs/argon2'
import { ROOT } from '../config.js'

// OWASP's Argon2id floor (m=19 MiB, t=2, p=1): ≈90 ms a hash on this 2-core machine.
export const ARGON2_OPTIONS = {
  algorithm: 2 /* Algorithm.Argon2id: a const enum, not importable under isolatedModules */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const
export const PASSWORD_MIN = 12
export const PASSWORD_MAX = 128

export const hashPassword = (password: string) => hash(password, ARGON2_OPTIONS)

// Verifying against this for unknown accounts makes "no such user" take as long as "wrong password".
let dummy: Promise<string> | undefined
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (!stored) {
    dummy ??= hashPassword('not-a-real-password-but-same-cost')
    await verify(await dummy, password)
    return false
  }
  try {
    return await verify(stored, password)
  } catch {
    return false
  }
}

/**
 * The first 200,000 of SecLists' 10-million-password-list-top-1000000 (Mark Burnett's compilation of breached
 * passwords, most frequent first), lower-cased, keeping the 130,846 a password of 12+ characters can normalise
 * to (4 characters or more, all-digit ones only from 12). Read once, when a password is first checked (~0.3 s,
 * ~10 MB as a Set) rather than at start-up, which every CLI command and test app would pay.
 */
// From the project's root, as views and migrations are: the compiled server runs from dist/, where tsc copies no data.
const LIST_FILE = path.join(ROOT, 'src', 'accounts', 'common-passwords.txt.gz')
let breached: Set<string> | undefined
export function commonPasswords(): Set<string> {
  breached ??= new Set(gunzipSync(fs.readFileSync(LIST_FILE)).toString('utf8').split('\n').filter(Boolean))
  return breached
}

// Words people here pad with digits that an English-language breach list ranks low, and this site's own name.
const LOCAL = new Set([
  'woaini',
  'woaiwojia',
  'woaini1314',
  'zhangwei',
  'wangwei',
  'liuyang',
  'china',
  'beijing',
  'shanghai',
  'guangzhou',
  'shenzhen',
  'assetbridge',
])

const LEET: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '8': 'b',
  '(': 'c',
  '3': 'e',
  '6': 'g',
  '9': 'g',
  '1': 'i',
  '!': 'i',
  '|': 'l',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
  '+': 't',
  '2': 'z',
}
const deleet = (s: string, one = 'i') => s.replace(/[@48(3691!|0$57+2]/g, (c) => (c === '1' ? one : LEET[c]))
/**
 * Ways a password pads or disguises a word: padding of digits, of symbols or of both at either end ('P@ssw0rd2026!'),
 * leet inside it (1 read as i and as l), and repetition.
 */
const REDUCTIONS: ((s: string) => string)[] = [
  (s) => s.replace(/[^\p{L}]+$/u, ''),
  (s) => s.replace(/\d+$/, ''),
  (s) => s.replace(/[^\p{L}\p{N}]+$/u, ''),
  (s) => s.replace(/^[^\p{L}]+/u, ''),
  (s) => s.replace(/^\d+/, ''),
  (s) => s.replace(/^[^\p{L}\p{N}]+/u, ''),
  (s) => deleet(s),
  (s) => deleet(s, 'l'),
  (s) => unrepeat(s),
]
/** 'passwordpassword' → 'password', 'abcabcabc' → 'abc': the shortest unit the whole string repeats. */
function unrepeat(s: string): string {
  for (let n = 1; n <= s.length / 2; n++)
    if (s.length % n === 0 && s.slice(0, n).repeat(s.length / n) === s) return s.slice(0, n)
  return s
}

/** The password and what it reduces to: lower-cased, without padding, leet or repetition, in any combination. */
export function variants(password: string): Set<string> {
  const found = new Set<string>()
  const todo = [password.normalize('NFKC').toLowerCase()]
  while (todo.length) {
    const v = todo.pop()!
    if (found.has(v)) continue
    found.add(v)
    for (const reduce of REDUCTIONS) {
      const next = reduce(v)
      if (next && next !== v) todo.push(next)
    }
  }
  return found
}

const ASCENDING = '0123456789'.repeat(14)
const DESCENDING = '9876543210'.repeat(14)

export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase()
  if (/^(.)\1+$/.test(lower)) return true
  // Runs of digits that wrap around (…7890123…), of any length a password may have.
  if (ASCENDING.includes(lower) || DESCENDING.includes(lower)) return true
  if (/^\d+$/.test(lower) && new Set(lower).size <= 3) return true
  if (/^(qwe|asd|zxc|123|abc|1q2w|q1w2)+/.test(lower) && new Set(lower).size <= 8) return true
  const list = commonPasswords()
  // A reduced form shorter than 4 says little: 'ab' is in the list, 'ab' + 10 random characters is not weak.
  for (const v of variants(password)) if (v.length >= 4 && (list.has(v) || LOCAL.has(v))) return true
  return false
}
