import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Readable } from 'node:stream'
import type { FastifyRequest } from 'fastify'
import * as interchange from './interchange.js'
import { MAX_FILES, parseUpload, type UploadBody } from './upload.js'
import { importUploadedLedger, ledgerPageView } from './interchange.pages.js'
import { isoDate } from '../shared/time.js'
import { signedIn } from '../plugins/auth.js'
import { Type } from 'typebox'

// The body is what the upload parser (upload.ts) built from the multipart stream; the schema checks its envelope.
const ImportBody = Type.Unsafe<Partial<UploadBody>>({
  type: 'object',
  properties: {
    _csrf: { type: 'string', maxLength: 200 },
    files: { type: 'array', maxItems: MAX_FILES, items: { type: 'object' } },
    tooMany: { type: 'boolean' },
  },
})

/**
 * Brokers and admins move whole ledgers in and out: upload a .json or the section .csv files, download the .json.
 * Both with the signed-in person's rights (rights.ts): a broker changes only what they could on the site.
 */
const interchangeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Only this plugin's routes take file uploads, and only as the page's form sends them: JSON, urlencoded and text
  // are refused (415) here, and multipart stays unsupported everywhere else. The route is `streamedBody`: sign-in,
  // role, origin and CSRF secret are checked before this parser runs (plugins/auth.ts, plugins/security.ts).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('multipart/form-data', async (req: FastifyRequest, payload: Readable) =>
    parseUpload(req.headers, payload, (token) => app.csrfTokenValid(req, token)),
  )

  app.get('/ledger', { config: { access: 'staff' } }, async (_req, reply) => {
    const { status, view } = ledgerPageView()
    return reply.render('interchange/index', view, { status })
  })

  app.post(
    '/ledger/import',
    { config: { access: 'staff', streamedBody: true }, schema: { body: ImportBody } },
    async (req, reply) => {
      const { status, view } = ledgerPageView(importUploadedLedger(app.db, signedIn(req), req.body))
      return reply.render('interchange/index', view, { status })
    },
  )

  app.get('/ledger/export.json', { config: { access: 'staff' } }, async (req, reply) => {
    const json = interchange.toJson(interchange.exportLedger(app.db, { by: signedIn(req) }))
    return reply
      .type('application/json; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="assetbridge-ledger-${isoDate(new Date())}.json"`)
      .send(json)
  })
}

export default interchangeRoutes
