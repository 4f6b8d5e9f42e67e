import { describe, expect, it } from 'vitest'
import { seedDemo } from '../../../src/demo/seed.js'
import { appForTest, signedIn } from '../../helpers/app.js'

describe('the demo district', () => {
  it('comes with a little history, so every queue on the broker desk has something to show', async () => {
    const app = await appForTest()
    await seedDemo(app.db, { password: 'demo-history-password' })
    const states = app.sqlite.prepare('SELECT state FROM matches ORDER BY id').pluck().all()
    expect(states).toEqual(['requested', 'accepted', 'delivered'])
    const broker = await signedIn(app, 'broker@demo.assetbridge.cn', 'demo-history-password')
    const desk = (await broker.get('/desk')).body
    for (const queue of ['queue-waiting', 'queue-confirm', 'queue-followups']) {
      const section = desk.slice(
        desk.indexOf(`id="${queue}"`),
        desk.indexOf('</section>', desk.indexOf(`id="${queue}"`)),
      )
      expect(section, queue).toMatch(/href="\/matches\/\d+"/)
    }
    // Reserved quantities agree with the accepted and delivered matches.
    const off = app.sqlite
      .prepare(
        `SELECT o.quantity - o.remaining AS reserved, (SELECT coalesce(sum(CASE WHEN m.state = 'accepted' THEN m.quantity ELSE m.delivered_quantity END), 0)
      FROM matches m WHERE m.offer_id = o.id AND m.state IN ('accepted', 'delivered', 'reviewed')) AS matched FROM offers o`,
      )
      .all() as { reserved: number; matched: number }[]
    for (const o of off) expect(o.reserved).toBe(o.matched)
  })
})
