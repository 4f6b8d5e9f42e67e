import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import type { FastifyInstance } from 'fastify'
import readXlsxFile from 'read-excel-file/node'
import * as accounts from '../../../src/accounts/accounts.js'
import { backupEvidence } from '../../../src/capacity/evidence-backup.js'
import { addUser, appForTest, Browser, count, fieldError, seedWorld, signedIn, type World } from '../../helpers/app.js'
import { decidedCall, type DecidedCall } from '../../helpers/funds.js'
import { HTML, multipart, MULTIPART, PNG } from '../../helpers/uploads.js'

// Delivering an award: milestone reports by the group's leader, approved (its tranche released in the same
// transaction) or sent back for more by whoever runs the call, evidence files, the close-out with the last tranche,
// late milestones, and the close-out page and workbook.
let app: FastifyInstance
let w: World
let c: DecidedCall
let dir: string
let holder: Browser
let leader: Browser

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-fund-files-'))
  app = await appForTest({ evidenceDir: dir })
  w = await seedWorld(app)
  c = await decidedCall(app, w)
  holder = await signedIn(app, 'holder@example.cn')
  leader = await signedIn(app, w.member.email)
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

const award = () => `/awards/${c.awardA.awardId}`
const [line1, line2] = [() => c.awardA.lines[0], () => c.awardA.lines[1]]
const releases = () =>
  app.sqlite
    .prepare(
      'SELECT milestone_id AS m, report_id AS r, amount_fen AS fen, released_by AS by FROM fund_releases WHERE award_id = ? ORDER BY id',
    )
    .all(c.awardA.awardId) as { m: number; r: number; fen: number; by: number }[]
const lastReport = () =>
  app.sqlite.prepare('SELECT * FROM fund_reports ORDER BY id DESC LIMIT 1').get() as {
    id: number
    state: string
    spending: string
    milestone_id: number | null
    returned_fen: number
  }
const actions = () =>
  app.sqlite.prepare("SELECT action FROM events WHERE action LIKE 'fund.%' ORDER BY id").pluck().all() as string[]

async function report(b: Browser, milestone: number | 'closeout', extra: Record<string, string> = {}) {
  await b.get(award())
  return b.post(`${award()}/reports`, {
    milestone: String(milestone),
    done: '完成了四次排练',
    residentsReached: '40',
    [`spent_${line1()}`]: '800.50',
    [`spent_${line2()}`]: '100',
    ...extra,
  })
}
async function decide(b: Browser, reportId: number, decision: 'approve' | 'more', note?: string) {
  await b.get(award())
  return b.post(`/fund-reports/${reportId}/decision`, { decision, note })
}

describe('milestone reports and tranches', () => {
  it('a leader reports, the holder approves and exactly that tranche is released, in one logged step', async () => {
    const sent = await report(leader, c.awardA.milestones[0])
    expect(sent.statusCode).toBe(303)
    const r = lastReport()
    expect(r.state).toBe('submitted')
    expect(JSON.parse(r.spending)).toEqual([
      { line: line1(), spentFen: 80_050 },
      { line: line2(), spentFen: 10_000 },
    ])
    expect(
      app.sqlite
        .prepare("SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'fund.report_submitted'")
        .pluck()
        .get(c.holder.id),
    ).toBe(1)
    expect(releases()).toEqual([])
    const ok = await decide(holder, r.id, 'approve')
    expect(ok.statusCode).toBe(303)
    expect(releases()).toEqual([{ m: c.awardA.milestones[0], r: r.id, fen: 90_000, by: c.holder.id }])
    expect(actions()).toEqual(['fund.report_submitted', 'fund.report_approved', 'fund.released'])
    const page = await leader.get(award())
    expect(page.body).toMatch(/id="award-released">¥900.00</)
    expect(page.body).toContain('完成了四次排练')
    // Deciding twice releases nothing more.
    expect((await decide(holder, r.id, 'approve')).statusCode).toBe(409)
    expect(releases()).toHaveLength(1)
  })

  it('asks for more with a note the leader reads, and the next report is approved', async () => {
    await report(leader, c.awardA.milestones[0])
    const first = lastReport().id
    const noNote = await decide(holder, first, 'more')
    expect(noNote.statusCode).toBe(422)
    expect(noNote.body).toContain('请说明还需要补充什么')
    expect((await decide(holder, first, 'more', '请补充签到表照片')).statusCode).toBe(303)
    expect(lastReport().state).toBe('more_asked')
    expect(releases()).toEqual([])
    expect((await leader.get(award())).body).toContain('请补充签到表照片')
    expect(
      app.sqlite
        .prepare("SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'fund.more_asked'")
        .pluck()
        .get(w.member.id),
    ).toBe(1)
    expect((await report(leader, c.awardA.milestones[0])).statusCode).toBe(303)
    expect((await decide(holder, lastReport().id, 'approve')).statusCode).toBe(303)
    expect(releases().map((x) => x.fen)).toEqual([90_000])
  })

  it('refuses a second report while one waits, a milestone of another award, the last milestone, and bad money', async () => {
    await report(leader, c.awardA.milestones[0])
    expect((await report(leader, c.awardA.milestones[0])).statusCode).toBe(409)
    const foreign = await report(leader, c.awardB.milestones[1])
    expect(foreign.statusCode).toBe(422)
    // The last milestone is reported by the close-out.
    expect((await report(leader, c.awardA.milestones[2])).statusCode).toBe(422)
    const money = await report(leader, c.awardA.milestones[1], { [`spent_${line1()}`]: '12.345' })
    expect(money.statusCode).toBe(422)
    const otherLine = await report(leader, c.awardA.milestones[1], { [`spent_${c.awardB.lines[0]}`]: '5' })
    expect(otherLine.statusCode).toBe(422)
    const noText = await report(leader, c.awardA.milestones[1], { done: '' })
    expect(fieldError(noText.body, 'done')).toBeTruthy()
    expect(count(app, 'fund_reports')).toBe(1)
  })
})

describe('who may do what', () => {
  it('a plain member reads and cannot report; an outsider finds nothing; the group cannot approve itself', async () => {
    const plain = await addUser(app, { email: 'plain@example.cn' })
    app.sqlite
      .prepare("INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, 'member')")
      .run(plain.id, w.orgA.id)
    const member = await signedIn(app, 'plain@example.cn')
    expect((await member.get(award())).statusCode).toBe(200)
    expect((await member.get(award())).body).not.toContain('id="report-form"')
    expect((await report(member, c.awardA.milestones[0])).statusCode).toBe(403)
    await report(leader, c.awardA.milestones[0])
    const id = lastReport().id
    const outsider = await signedIn(app, w.other.email)
    for (const u of [award(), `${award()}/closeout`, `${award()}/closeout.xlsx`])
      expect((await outsider.get(u)).statusCode, u).toBe(404)
    expect((await report(outsider, c.awardA.milestones[1])).statusCode).toBe(404)
    expect((await outsider.post(`/fund-reports/${id}/decision`, { decision: 'approve' })).statusCode).toBe(404)
    expect((await leader.post(`/fund-reports/${id}/decision`, { decision: 'approve' })).statusCode).toBe(403)
    expect((await new Browser(app).get(award())).statusCode).toBe(303)
    expect(releases()).toEqual([])
  })

  it('a broker covering the holder decides; a broker elsewhere finds nothing', async () => {
    await report(leader, c.awardA.milestones[0])
    const id = lastReport().id
    const far = await addUser(app, { email: 'far@example.cn', role: 'broker' })
    accounts.setBrokerAreas(app.db, w.admin.id, far.id, [w.streetB.id])
    const farB = await signedIn(app, 'far@example.cn')
    expect((await farB.get(award())).statusCode).toBe(404)
    expect((await farB.post(`/fund-reports/${id}/decision`, { decision: 'approve' })).statusCode).toBe(404)
    const broker = await signedIn(app, w.broker.email)
    expect((await decide(broker, id, 'approve')).statusCode).toBe(303)
    expect(releases()[0].by).toBe(w.broker.id)
  })
})

describe('evidence files on a report', () => {
  const upload = async (b: Browser, reportId: number, files: { filename: string; data: Buffer }[]) => {
    await b.refreshCsrf(award())
    return b.request('POST', `/fund-reports/${reportId}/files`, {
      headers: { 'content-type': MULTIPART },
      payload: multipart(b.csrf!, files) as unknown as string,
    })
  }

  it('keeps a photo in the evidence folder, served as an attachment to those who see the award only', async () => {
    await report(leader, c.awardA.milestones[0])
    const id = lastReport().id
    expect((await upload(leader, id, [{ filename: '排练.png', data: PNG }])).statusCode).toBe(303)
    const f = app.sqlite.prepare('SELECT id, stored_name AS name, sha256 FROM fund_report_files').get() as {
      id: number
      name: string
      sha256: string
    }
    expect(fs.readFileSync(path.join(dir, f.name))).toEqual(PNG)
    expect((await holder.get(award())).body).toContain('排练.png')
    const got = await holder.get(`/fund-files/${f.id}`)
    expect(got.statusCode).toBe(200)
    expect(got.headers['content-disposition']).toMatch(/^attachment/)
    expect(got.rawPayload).toEqual(PNG)
    expect((await (await signedIn(app, w.other.email)).get(`/fund-files/${f.id}`)).statusCode).toBe(404)
    expect(actions()).toContain('fund.report_file_added')
    // A backup copies the report's file beside the database and finds none missing; without the file it says so.
    const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-fund-backup-'))
    onTestFinished(() => fs.rmSync(backupDir, { recursive: true, force: true }))
    const target = path.join(backupDir, 'copy.sqlite')
    await app.sqlite.backup(target)
    const copied = backupEvidence(dir, target)
    expect(copied.missing).toEqual([])
    expect(fs.readFileSync(path.join(copied.dir, f.name))).toEqual(PNG)
    fs.rmSync(path.join(dir, f.name))
    expect(backupEvidence(dir, target).missing).toEqual([f.name])
  })

  it('refuses what is not a photo or PDF, and files once the report is decided; nothing is left on disk', async () => {
    await report(leader, c.awardA.milestones[0])
    const id = lastReport().id
    const html = await upload(leader, id, [{ filename: 'cat.png', data: HTML }])
    expect(html.statusCode).toBe(422)
    expect(html.body).toContain('cat.png')
    expect((await upload(holder, id, [{ filename: 'x.png', data: PNG }])).statusCode).toBe(403)
    await decide(holder, id, 'approve')
    expect((await upload(leader, id, [{ filename: 'late.png', data: PNG }])).statusCode).toBe(409)
    expect(count(app, 'fund_report_files')).toBe(0)
    expect(fs.readdirSync(dir)).toEqual([])
  })
})

describe('close-out (结项)', () => {
  async function approveMilestones() {
    for (const m of c.awardA.milestones.slice(0, 2)) {
      await report(leader, m)
      await decide(holder, lastReport().id, 'approve')
    }
  }

  it('comes after the other milestones; releases the last tranche so releases add up to the award; closes the call with the last award', async () => {
    expect((await report(leader, 'closeout')).statusCode).toBe(409)
    await approveMilestones()
    expect(
      (
        await report(leader, 'closeout', {
          returned: '40.25',
          [`spent_${line1()}`]: '2,450',
          [`spent_${line2()}`]: '500',
        })
      ).statusCode,
    ).toBe(303)
    const r = lastReport()
    expect(r.milestone_id).toBeNull()
    expect(r.returned_fen).toBe(4025)
    await decide(holder, r.id, 'approve')
    expect(releases().map((x) => x.fen)).toEqual([90_000, 90_000, 120_000])
    expect(releases().reduce((s, x) => s + x.fen, 0)).toBe(c.awardA.amountFen)
    expect(actions().filter((a) => a === 'fund.closeout_approved')).toHaveLength(1)
    // The call stays open while the reading club has not closed out.
    expect(app.sqlite.prepare('SELECT closed_at FROM fund_calls WHERE id = ?').pluck().get(c.callId)).toBeNull()
    const page = await holder.get(`${award()}/closeout`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('已结项')
    expect(page.body).toMatch(/id="closeout-released">¥3,000.00</)
    expect(page.body).toMatch(/id="closeout-returned">¥40.25</)
    expect(page.body).toMatch(/id="closeout-spent">¥2,950.00</)
  })

  it('uneven shares: the last tranche takes the rounding remainder, to the fen', async () => {
    const reader = await signedIn(app, 'reader@example.cn')
    const url = `/awards/${c.awardB.awardId}`
    for (const m of c.awardB.milestones.slice(0, 2)) {
      await reader.get(url)
      await reader.post(`${url}/reports`, { milestone: String(m), done: '做了', residentsReached: '10' })
      const id = lastReport().id
      await holder.get(url)
      await holder.post(`/fund-reports/${id}/decision`, { decision: 'approve' })
    }
    await reader.get(url)
    await reader.post(`${url}/reports`, { milestone: 'closeout', done: '结项', residentsReached: '80' })
    await holder.get(url)
    await holder.post(`/fund-reports/${lastReport().id}/decision`, { decision: 'approve' })
    const fen = app.sqlite
      .prepare('SELECT amount_fen FROM fund_releases WHERE award_id = ? ORDER BY id')
      .pluck()
      .all(c.awardB.awardId)
    expect(fen).toEqual([60_000, 60_000, 80_001])
    // Both awards closed out: the call is closed, once.
    expect(app.sqlite.prepare('SELECT closed_at FROM fund_calls WHERE id = ?').pluck().get(c.callId)).toBeNull()
    for (const m of c.awardA.milestones.slice(0, 2)) {
      await report(leader, m)
      await decide(holder, lastReport().id, 'approve')
    }
    await report(leader, 'closeout')
    await decide(holder, lastReport().id, 'approve')
    expect(app.sqlite.prepare('SELECT closed_at FROM fund_calls WHERE id = ?').pluck().get(c.callId)).not.toBeNull()
    expect(actions().filter((a) => a === 'fund.call_closed')).toHaveLength(1)
  })

  it("the workbook reads back with the page's figures, money as numbers in yuan", async () => {
    await approveMilestones()
    await report(leader, 'closeout', { returned: '40.25', [`spent_${line1()}`]: '2450', [`spent_${line2()}`]: '500' })
    await decide(holder, lastReport().id, 'approve')
    const res = await leader.get(`${award()}/closeout.xlsx`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="assetbridge-closeout-\d+\.xlsx"/)
    const sheets = await readXlsxFile(res.rawPayload)
    expect(sheets.map((s) => s.sheet)).toEqual(['概况', '预算与支出', '里程碑与拨款'])
    const cover = Object.fromEntries(sheets[0].data.slice(1).map((r) => [r[0], r[1]]))
    expect(cover).toMatchObject({
      资助金额: 3000,
      已拨付: 3000,
      退回资金: 40.25,
      实际支出: 2950,
      实际服务居民: 40,
      状态: '已结项',
    })
    const budget = sheets[1].data
    expect(budget.slice(1)).toEqual([
      ['场地与物资', 2500, 50, 2450, 50],
      ['宣传印刷', 500, 0, 500, 0],
      ['合计', 3000, 50, 2950, 50],
    ])
    const spent = budget.slice(1, -1).reduce((s, r) => s + Number(r[3]), 0)
    expect(spent).toBe(budget.at(-1)![3])
    expect(sheets[2].data.slice(1).map((r) => [r[0], r[2], r[3]])).toEqual([
      ['第1阶段', 900, 900],
      ['第2阶段', 900, 900],
      ['第3阶段', 1200, 1200],
    ])
  })
})

describe('late milestones', () => {
  it('a milestone past its date without an approved report shows as late to the group and the holder, until approved', async () => {
    // The first milestone was due on 2026-12-01.
    for (const b of [leader, holder]) {
      const page = await b.get(award())
      expect(page.body).toContain('id="award-late"')
      expect(page.body).toMatch(new RegExp(`id="milestone-${c.awardA.milestones[0]}"[\\s\\S]*?已逾期`))
    }
    // The social worker's desk lists both awards' late first milestones until they are approved.
    const broker = await signedIn(app, w.broker.email)
    const desk = (await broker.get('/desk')).body
    expect(desk).toContain('id="queue-fund-late"')
    expect(desk).toContain(`href="${award()}"`)
    expect(desk).toContain(`href="/awards/${c.awardB.awardId}"`)
    await report(leader, c.awardA.milestones[0])
    await decide(holder, lastReport().id, 'approve')
    expect((await leader.get(award())).body).not.toContain('id="award-late"')
    const after = (await broker.get('/desk')).body
    expect(after).not.toContain(`href="${award()}"`)
    expect(after).toContain(`href="/awards/${c.awardB.awardId}"`)
    // A broker elsewhere is not told.
    const far = await addUser(app, { email: 'far@example.cn', role: 'broker' })
    accounts.setBrokerAreas(app.db, w.admin.id, far.id, [w.streetB.id])
    expect((await (await signedIn(app, 'far@example.cn')).get('/desk')).body).not.toContain('queue-fund-late')
  })
})
