import fp from 'fastify-plugin'
import { isLocale, negotiate, translate } from '../i18n/i18n.js'

export const LOCALE_COOKIE = 'lang'

/** The language comes from the remembered choice, else from the browser's Accept-Language. */
export default fp(
  async (app) => {
    app.decorateRequest('locale', 'zh-CN')
    app.decorateRequest('t', null as never)
    app.addHook('onRequest', async (req) => {
      const chosen = req.cookies[LOCALE_COOKIE]
      req.locale = isLocale(chosen) ? chosen : negotiate(req.headers['accept-language'])
      const locale = req.locale
      req.t = (key, params) => translate(locale, key, params)
    })
  },
  { name: 'i18n', dependencies: ['@fastify/cookie'] },
)
