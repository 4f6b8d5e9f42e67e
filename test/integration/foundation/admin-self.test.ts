import { describe, expect, it } from 'vitest'
import { appForTest, seedWorld, signedIn } from '../../helpers/app.js'

describe('an admin managing accounts', () => {
  it('cannot demote or disable themselves, so the district always keeps an admin, and nothing changes', async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    const admin = await signedIn(app, 'admin@example.cn')
    expect((await admin.post(`/admin/users/${w.admin.id}/role`, { role: 'member' })).statusCode).toBe(403)
    expect((await admin.post(`/admin/users/${w.admin.id}/disabled`, { disabled: '1' })).statusCode).toBe(403)
    const row = app.sqlite.prepare('SELECT role, disabled_at FROM users WHERE id = ?').get(w.admin.id) as {
      role: string
      disabled_at: string | null
    }
    expect(row).toEqual({ role: 'admin', disabled_at: null })
    // Another account is still theirs to manage.
    expect((await admin.post(`/admin/users/${w.other.id}/disabled`, { disabled: '1' })).statusCode).toBe(303)
  })
})
