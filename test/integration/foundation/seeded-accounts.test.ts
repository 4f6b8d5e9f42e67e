import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { verifyPassword } from '../../../src/accounts/passwords.js'
import { users } from '../../../src/db/schema.js'
import { addUser, appForTest, PASSWORD, signedIn } from '../../helpers/app.js'

// Accounts the helpers make are hashed cheaply (test/helpers/app.ts SEEDED_ARGON2); production's own cost is held by
// rules.test.ts and signin-defences.test.ts. This holds that the cheap ones are still what production verifies.
describe('accounts made by the test helpers', () => {
  it('are Argon2id PHC strings at the seeded cost, which production verifies and signs in with', async () => {
    const app = await appForTest()
    const user = await addUser(app, { email: 'seeded@example.cn' })
    const { passwordHash } = app.db
      .select({ passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.id, user.id))
      .get()!
    expect(passwordHash).toMatch(/^\$argon2id\$v=19\$m=256,t=1,p=1\$/)
    expect(await verifyPassword(passwordHash, PASSWORD)).toBe(true)
    expect(await verifyPassword(passwordHash, `${PASSWORD}!`)).toBe(false)
    const b = await signedIn(app, 'seeded@example.cn')
    expect((await b.get('/account')).statusCode).toBe(200)
  })
})
