import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import * as accounts from '../../../src/accounts/accounts.js'
import * as capacity from '../../../src/capacity/capacity.js'
import { INDICATOR_CODES, type Scores } from '../../../src/capacity/indicators.js'
import { MAX_BYTES } from '../../../src/evidence/files.js'
import { capacityEvidence, events } from '../../../src/db/schema.js'
import { localToday } from '../../../src/shared/time.js'
import { addUser, Browser, makeApp, signedIn, type Res } from '../../helpers/app.js'
import { HTML, JPEG, multipart, MULTIPART, PDF, PNG, WEBP } from '../../helpers/uploads.js'
import { brokerWorld, reload, type BrokerWorld } from '../brokering/world.js'

let app: FastifyInstance
let w: BrokerWorld
let broker: Browser
let colleague: Browser
let outsider: Browser
let member: Browser
let other: Browser
let admin: Browser
let dir: string
const now = new Date()
const all = (score: number): Scores => Object.fromEntries(INDICATOR_CODES.map((c) => [c, score]))

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-evidence-test-'))
  app = await makeApp({ evidenceDir: path.join(dir, 'files') })
  w = await brokerWorld(app)
  const col = await addUser(app, { email: 'colleague@example.cn', role: 'broker', name: 'Colleague' })
  accounts.setBrokerAreas(app.db, w.admin.id, col.id, [w.streetA.id])
  ;[broker, colleague, outsider, member, other, admin] = await Promise.all([
    signedIn(app, w.broker.email),
    signedIn(app, 'colleague@example.cn'),
    signedIn(app, w.broker2.email),
    signedIn(app, w.member.email),
    signedIn(app, w.other.email),
    signedIn(app, w.admin.email),
  ])
})
afterAll(async () => {
  await app.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const newAssessment = () =>
  capacity.record(
    app.db,
    reload(app, w.broker),
    w.orgA.id,
    { assessedOn: localToday(now), scores: all(3), withLeader: true },
    now,
  ).id
const upload = (b: Browser, id: number, body: Buffer, headers: Record<string, string> = {}) =>
  b.request('POST', `/capacity/${id}/evidence`, {
    headers: { 'content-type': MULTIPART, ...headers },
    payload: body as unknown as string,
  })
const rows = (id: number) => app.db.select().from(capacityEvidence).where(eq(capacityEvidence.assessmentId, id)).all()
const filesOnDisk = () => (fs.existsSync(path.join(dir, 'files')) ? fs.readdirSync(path.join(dir, 'files')) : [])
async function tokenFor(b: Browser, id: number) {
  await b.refreshCsrf(`/capacity/${id}`)
  return b.csrf!
}

describe('uploading evidence', () => {
  it('keeps each type by its content: a PNG named .pdf is a PNG, a JPEG, a WebP and a PDF are kept as what they are; logged, listed on the page', async () => {
    const id = newAssessment()
    const res = await upload(
      broker,
      id,
      multipart(await tokenFor(broker, id), [
        { filename: '签到表.pdf', type: 'application/pdf', data: PNG },
        { filename: 'photo.jpeg', type: 'image/jpeg', data: JPEG },
        { filename: 'C:\\Users\\me\\活动.webp', data: WEBP },
        { filename: 'report', type: 'text/plain', data: PDF },
      ]),
    )
    expect(res.statusCode, res.body).toBe(303)
    expect(res.headers.location).toBe(`/capacity/${id}#evidence`)
    const kept = rows(id)
    expect(kept.map((e) => [e.originalName, e.contentType, e.bytes])).toEqual([
      ['签到表.pdf', 'image/png', PNG.length],
      ['photo.jpeg', 'image/jpeg', JPEG.length],
      ['活动.webp', 'image/webp', WEBP.length],
      ['report', 'application/pdf', PDF.length],
    ])
    // Stored under generated names with the sniffed type's extension, never the upload's name.
    for (const e of kept) {
      expect(e.storedName).toMatch(/^[0-9a-f]{32}\.(png|jpg|webp|pdf)$/)
      expect(fs.existsSync(path.join(dir, 'files', e.storedName))).toBe(true)
    }
    expect(kept[0].storedName.endsWith('.png')).toBe(true)
    expect(fs.readFileSync(path.join(dir, 'files', kept[0].storedName)).equals(PNG)).toBe(true)
    const logged = app.db
      .select()
      .from(events)
      .where(eq(events.action, 'capacity.evidence_added'))
      .all()
      .filter((e) => e.subjectId === id)
    expect(logged).toHaveLength(4)
    const page = await broker.get(`/capacity/${id}`)
    expect(page.body).toContain('签到表.pdf')
    expect(page.body).toContain(`href="/evidence/${kept[0].id}"`)
    expect(page.body).toContain('PNG 图片')
  })

  it("refuses an HTML file named .jpg and an empty file, with the reason in the person's language, keeping nothing of that upload", async () => {
    const id = newAssessment()
    const before = filesOnDisk().length
    const res = await upload(
      broker,
      id,
      multipart(await tokenFor(broker, id), [
        { filename: 'ok.png', type: 'image/png', data: PNG },
        { filename: 'cat.jpg', type: 'image/jpeg', data: HTML },
      ]),
    )
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('“cat.jpg”不是 JPEG、PNG、WebP 图片或 PDF 文档')
    expect(rows(id)).toEqual([])
    expect(filesOnDisk().length).toBe(before)

    const empty = await upload(broker, id, multipart(broker.csrf!, [{ filename: 'blank.pdf', data: Buffer.alloc(0) }]))
    expect(empty.statusCode).toBe(422)
    expect(empty.body).toContain('“blank.pdf”是空文件')
    const en = await upload(broker, id, multipart(broker.csrf!, [{ filename: 'cat.jpg', data: HTML }]), {
      'accept-language': 'en',
    })
    expect(en.statusCode).toBe(422)
    expect(en.body).toContain(
      '&quot;cat.jpg&quot; is not a JPEG, PNG or WebP image or a PDF (judged by its content, not its name)',
    )
    expect(rows(id)).toEqual([])
  })

  it('refuses a file over 5 MB, and more than ten per assessment, saying the limit; nothing is left behind', async () => {
    const id = newAssessment()
    const before = filesOnDisk().length
    const big = Buffer.concat([PNG, Buffer.alloc(MAX_BYTES, 0)])
    const res = await upload(broker, id, multipart(await tokenFor(broker, id), [{ filename: 'huge.png', data: big }]))
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('“huge.png”超过 5 MB')
    expect(rows(id)).toEqual([])
    expect(filesOnDisk().length).toBe(before)

    // Exactly 5 MB is allowed.
    const atLimit = Buffer.concat([PDF, Buffer.alloc(MAX_BYTES - PDF.length, 0x20)])
    expect((await upload(broker, id, multipart(broker.csrf!, [{ filename: 'a.pdf', data: atLimit }]))).statusCode).toBe(
      303,
    )
    for (let i = 0; i < 9; i += 3) {
      const three = [0, 1, 2].map((k) => ({ filename: `p${i + k}.png`, data: PNG }))
      expect((await upload(broker, id, multipart(broker.csrf!, three))).statusCode).toBe(303)
    }
    expect(rows(id)).toHaveLength(10)
    const eleventh = await upload(broker, id, multipart(broker.csrf!, [{ filename: 'p11.png', data: PNG }]))
    expect(eleventh.statusCode).toBe(422)
    expect(eleventh.body).toContain('每次评估最多 10 个文件')
    expect(rows(id)).toHaveLength(10)
    // The page no longer offers the form once the assessment holds ten.
    expect((await broker.get(`/capacity/${id}`)).body).not.toContain('id="evidence-form"')
  })

  it('a truncated or malformed upload is a clear 400 and leaves no file and no row', async () => {
    const id = newAssessment()
    const token = await tokenFor(broker, id)
    const before = filesOnDisk().length
    const cut = multipart(
      token,
      [
        { filename: 'ok.png', data: PNG },
        { filename: 'half.pdf', data: PDF },
      ],
      { close: false },
    ).subarray(0, -20)
    const res = await upload(broker, id, cut)
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('上传没有完整送达')
    expect(rows(id)).toEqual([])
    expect(filesOnDisk().length).toBe(before)
    const noBoundary = await upload(broker, id, multipart(token, [{ filename: 'ok.png', data: PNG }]), {
      'content-type': 'multipart/form-data',
    })
    expect(noBoundary.statusCode).toBe(400)
    expect(rows(id)).toEqual([])
    // JSON or urlencoded bodies are not the upload form.
    const json = await broker.request('POST', `/capacity/${id}/evidence`, {
      headers: { 'content-type': 'application/json', 'x-csrf-token': token },
      payload: '{"files":[{"filename":"x.png","data":"iVBORw0KGgo="}]}',
    })
    expect(json.statusCode).toBe(415)
    expect(rows(id)).toEqual([])
  })

  it('refuses a missing or forged token, a member, a visitor and a broker who does not cover the organization', async () => {
    const id = newAssessment()
    const good = multipart(await tokenFor(broker, id), [{ filename: 'ok.png', data: PNG }])
    expect((await upload(broker, id, multipart('forged', [{ filename: 'ok.png', data: PNG }]))).statusCode).toBe(403)
    expect((await upload(broker, id, multipart(undefined, [{ filename: 'ok.png', data: PNG }]))).statusCode).toBe(403)
    expect((await upload(new Browser(app), id, good)).statusCode).toBe(401)
    await member.refreshCsrf(`/capacity/${id}`)
    expect((await upload(member, id, multipart(member.csrf!, [{ filename: 'ok.png', data: PNG }]))).statusCode).toBe(
      403,
    )
    await outsider.refreshCsrf('/account')
    expect(
      (await upload(outsider, id, multipart(outsider.csrf!, [{ filename: 'ok.png', data: PNG }]))).statusCode,
    ).toBe(404)
    expect(rows(id)).toEqual([])
    // A colleague covering the street may add to another broker's assessment.
    expect(
      (await upload(colleague, id, multipart(await tokenFor(colleague, id), [{ filename: 'ok.png', data: PNG }])))
        .statusCode,
    ).toBe(303)
    expect(rows(id)).toHaveLength(1)
  })
})

describe('downloading and removing evidence', () => {
  let id: number
  let png: number
  let pdf: number
  beforeAll(async () => {
    id = newAssessment()
    const res = await upload(
      broker,
      id,
      multipart(await tokenFor(broker, id), [
        { filename: '<img src=x onerror=alert(1)>.png', data: PNG },
        { filename: 'sheet.pdf', data: PDF },
      ]),
    )
    expect(res.statusCode).toBe(303)
    ;[png, pdf] = rows(id).map((e) => e.id)
  })

  it('serves the file as an attachment under a generated name, typed by its content, with nosniff, to who may see the assessment', async () => {
    for (const b of [broker, colleague, member, admin]) {
      const res = await b.get(`/evidence/${png}`)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('image/png')
      expect(res.headers['content-disposition']).toBe(`attachment; filename="evidence-${png}.png"`)
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['cache-control']).toBe('no-store')
      expect(res.rawPayload.equals(PNG)).toBe(true)
    }
    const doc = await member.get(`/evidence/${pdf}`)
    expect(doc.headers['content-type']).toBe('application/pdf')
    expect(doc.rawPayload.equals(PDF)).toBe(true)
    // The uploader's name is shown escaped, never used in a header.
    expect((await broker.get(`/capacity/${id}`)).body).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;.png')
  })

  it("answers 404 to a broker of another street, another organization's leader, a visitor (sign-in), and for the folder itself", async () => {
    expect((await outsider.get(`/evidence/${png}`)).statusCode).toBe(404)
    expect((await other.get(`/evidence/${png}`)).statusCode).toBe(404)
    const visitor = await new Browser(app).get(`/evidence/${png}`)
    expect(visitor.statusCode).toBe(303)
    expect(visitor.headers.location).toContain('/signin')
    for (const url of ['/evidence', '/evidence/', `/capacity/${id}/evidence`, '/evidence/999999', '/evidence/abc']) {
      const res = await admin.get(url)
      expect(res.statusCode, url).toBe(404)
    }
    const stored = rows(id)[0].storedName
    expect((await admin.get(`/evidence/${stored}`)).statusCode).toBe(404)
    expect((await admin.get(`/public/${stored}`)).statusCode).toBe(404)
  })

  it('the assessor or an admin removes a file (row, log and file); a colleague, a member or an outsider cannot', async () => {
    const stored = rows(id).find((e) => e.id === pdf)!.storedName
    await colleague.refreshCsrf(`/capacity/${id}`)
    expect((await colleague.post(`/evidence/${pdf}/deletion`)).statusCode).toBe(403)
    await member.refreshCsrf(`/capacity/${id}`)
    expect((await member.post(`/evidence/${pdf}/deletion`)).statusCode).toBe(403)
    await outsider.refreshCsrf('/account')
    expect((await outsider.post(`/evidence/${pdf}/deletion`)).statusCode).toBe(404)
    expect(rows(id)).toHaveLength(2)

    await admin.refreshCsrf(`/capacity/${id}`)
    const res: Res = await admin.post(`/evidence/${pdf}/deletion`)
    expect(res.statusCode).toBe(303)
    expect(rows(id).map((e) => e.id)).toEqual([png])
    expect(fs.existsSync(path.join(dir, 'files', stored))).toBe(false)
    expect(
      app.db
        .select()
        .from(events)
        .where(eq(events.action, 'capacity.evidence_removed'))
        .all()
        .map((e) => e.subjectId),
    ).toContain(id)
    expect((await broker.get(`/evidence/${pdf}`)).statusCode).toBe(404)
    await broker.refreshCsrf(`/capacity/${id}`)
    expect((await broker.post(`/evidence/${png}/deletion`)).statusCode).toBe(303)
    expect(rows(id)).toEqual([])
  })
})
