import { hash, verify } from '@node-rs/argon2'

// OWASP's Argon2id floor (m=19 MiB, t=2, p=1): ≈90 ms a hash on this 2-core machine.
export const ARGON2_OPTIONS = { algorithm: 2 /* Algorithm.Argon2id: a const enum, not importable under isolatedModules */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const
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

// Only passwords of the minimum length or more matter; these are the well-known ones that reach it,
// plus the words people pad with digits. Checked case-insensitively after stripping digits and symbols.
const COMMON = new Set([
  'password', 'passw0rd', 'qwerty', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'iloveyou', 'admin', 'administrator',
  'welcome', 'letmein', 'abc', 'abcdef', 'abcdefg', 'monkey', 'dragon', 'football', 'baseball', 'sunshine',
  'princess', 'woaini', 'woaiwojia', 'changeme', 'trustno', 'superman', 'batman', 'master', 'shadow', 'qazwsx',
  'qazwsxedc', 'qweasd', 'qweasdzxc', 'aaaaaa', 'secret', 'login', 'computer', 'internet', 'starwars', 'whatever',
  'assetbridge', 'zhangwei', 'wangwei', 'liuyang', 'china', 'beijing', 'shanghai', 'guangzhou', 'shenzhen',
])

const ASCENDING = '0123456789'.repeat(14)
const DESCENDING = '9876543210'.repeat(14)

export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase()
  const letters = lower.replace(/[^a-z]/g, '')
  if (/^(.)\1+$/.test(lower)) return true
  // Runs of digits that wrap around (…7890123…), of any length a password may have.
  if (ASCENDING.includes(lower) || DESCENDING.includes(lower)) return true
  if (/^\d+$/.test(lower) && new Set(lower).size <= 3) return true
  if (letters.length > 0 && letters.length >= lower.length / 2 && COMMON.has(letters)) return true
  if (/^(qwe|asd|zxc|123|abc|1q2w|q1w2)+/.test(lower) && new Set(lower).size <= 8) return true
  return false
}
