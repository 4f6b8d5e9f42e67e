import fs from 'node:fs'
import path from 'node:path'
import fp from 'fastify-plugin'
import Handlebars from 'handlebars'
import type { FastifyReply } from 'fastify'
import { catalogue, DEFAULT_LOCALE, isLocale, LOCALES, translate, type Locale } from '../i18n/i18n.js'
import type { Problem } from '../shared/errors.js'
import type { RenderOptions } from '../types.js'
import { formatNumber } from '../shared/format.js'
import { yuan } from '../funds/money.js'

/** Every partial under views/partials, named by its path ('needs/row'); the benches' ceilings reuse it. */
export function partialsIn(dir: string, prefix = ''): Record<string, string> {
  const found: Record<string, string> = {}
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name
    if (entry.isDirectory()) Object.assign(found, partialsIn(path.join(dir, entry.name), rel))
    else if (entry.name.endsWith('.hbs')) found[rel.replace(/\.hbs$/, '')] = `partials/${rel}`
  }
  return found
}

const localeOf = (options: Handlebars.HelperOptions): Locale => options.data?.root?.locale ?? 'zh-CN'

/** One date formatter per locale and kind (numbers: shared/format.ts): building one costs ~80 µs, a page may format hundreds. */
function formatters(build: (locale: Locale) => { format(value: Date | number): string }) {
  const made = new Map<Locale, { format(value: Date | number): string }>()
  return (locale: Locale) => made.get(locale) ?? made.set(locale, build(locale)).get(locale)!
}
const dateFormat = formatters(
  (l) => new Intl.DateTimeFormat(l, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'Asia/Shanghai' }),
)
const dateTimeFormat = formatters(
  (l) => new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' }),
)

export function createHandlebars() {
  const hbs = Handlebars.create()
  hbs.registerHelper('t', function (key: string, options: Handlebars.HelperOptions) {
    return translate(localeOf(options), key, options.hash)
  })
  // A problem from validation or the domain: a key plus parameters.
  hbs.registerHelper('tp', function (problem: Problem | undefined, options: Handlebars.HelperOptions) {
    return problem ? translate(localeOf(options), problem.key, problem.params) : ''
  })
  // `{{tk "kind." org.kind}}`: a key built from a prefix and a value, for enums.
  hbs.registerHelper('tk', function (prefix: string, value: string, options: Handlebars.HelperOptions) {
    return value ? translate(localeOf(options), `${prefix}${value}`) : ''
  })
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b || (a != null && b != null && String(a) === String(b)))
  hbs.registerHelper('ne', (a: unknown, b: unknown) => String(a) !== String(b))
  hbs.registerHelper('not', (a: unknown) => !a)
  // Like JavaScript's || and &&: the deciding value itself, so `(or a b)` can stand for a value, not only a test.
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).find(Boolean) ?? args.at(-2))
  hbs.registerHelper('and', (...args: unknown[]) => {
    const values = args.slice(0, -1)
    return values.find((v) => !v) ?? values.at(-1)
  })
  hbs.registerHelper('enc', (value: unknown) => encodeURIComponent(String(value ?? '')))
  hbs.registerHelper('array', (...args: unknown[]) => args.slice(0, -1))
  hbs.registerHelper('add', (a: number, b: number) => Number(a) + Number(b))
  hbs.registerHelper('gt', (a: number, b: number) => a > b)
  // An empty errors object ({}) is truthy to #if; a form shows its notice only when something is wrong.
  hbs.registerHelper(
    'any',
    (value: unknown) => value != null && typeof value === 'object' && Object.keys(value).length > 0,
  )
  hbs.registerHelper(
    'includes',
    (list: unknown, value: unknown) => Array.isArray(list) && list.map(String).includes(String(value)),
  )
  hbs.registerHelper('date', function (value: string | null, options: Handlebars.HelperOptions) {
    if (!value) return ''
    const d = new Date(value)
    if (Number.isNaN(d.getTime())) return value
    return dateFormat(localeOf(options)).format(d)
  })
  hbs.registerHelper('datetime', function (value: string | null, options: Handlebars.HelperOptions) {
    if (!value) return ''
    return dateTimeFormat(localeOf(options)).format(new Date(value))
  })
  hbs.registerHelper('number', function (value: number, options: Handlebars.HelperOptions) {
    return typeof value === 'number' ? formatNumber(localeOf(options), value) : ''
  })
  // Money held in fen (the funds domain), shown as ¥1,234.50.
  hbs.registerHelper('yuan', (fen: unknown) => (typeof fen === 'number' ? yuan(fen) : ''))
  // Links that keep the current filters and change one parameter (pagination, sorting).
  hbs.registerHelper(
    'withParam',
    (base: string, query: Record<string, unknown> | undefined, key: string, value: unknown) => {
      const params = new URLSearchParams()
      for (const [k, v] of Object.entries(query ?? {})) {
        if (k === key || v === undefined || v === null || v === '') continue
        for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item))
      }
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
      const qs = params.toString()
      return qs ? `${base}?${qs}` : base
    },
  )
  return hbs
}

export const FLASH_COOKIE = 'flash'

/** Every template file under `dir` (a .hbs), by its path from there ('pages/needs/show.hbs'). */
function hbsFilesIn(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.hbs'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
}

/** Where each `{{t "key"}}` without parameters stands in `source`: [start, end, key], by offset. */
function plainMessages(engine: typeof Handlebars, source: string): [number, number, string][] {
  const lineStarts = [0]
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1)
  const offset = (p: hbs.AST.Position) => lineStarts[p.line - 1] + p.column
  const found: [number, number, string][] = []
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (!node || typeof node !== 'object') return
    const n = node as hbs.AST.MustacheStatement
    if (
      n.type === 'MustacheStatement' &&
      n.escaped &&
      !n.strip.open &&
      !n.strip.close &&
      n.path.type === 'PathExpression' &&
      (n.path as hbs.AST.PathExpression).original === 't' &&
      n.params.length === 1 &&
      n.params[0].type === 'StringLiteral' &&
      !n.hash
    )
      found.push([offset(n.loc.start), offset(n.loc.end), (n.params[0] as hbs.AST.StringLiteral).value])
    for (const [k, v] of Object.entries(node)) if (k !== 'loc') visit(v)
  }
  visit(engine.parseWithoutProcessing(source))
  return found
}

/**
 * `source` with each `{{t "key"}}` without parameters replaced by its words in `locale`, escaped as {{t}} escapes
 * them: a page has hundreds (twenty cards), each a helper call, a catalogue lookup and an escape on every request,
 * for words fixed at start-up. Only words that cannot change how Handlebars reads the text around them: no newline
 * or brace (standalone lines and mustaches), not blank (two texts meeting), no backslash (an escaped mustache).
 */
export function withMessages(engine: typeof Handlebars, source: string, locale: Locale): string {
  let out = ''
  let at = 0
  for (const [start, end, key] of plainMessages(engine, source)) {
    const words = engine.escapeExpression(translate(locale, key))
    if (!/^[^\n\r{}\\]*\S[^\n\r{}\\]*$/.test(words)) continue
    out += source.slice(at, start) + words
    at = end
  }
  return out + source.slice(at)
}

/**
 * The templates under `root` (views/), all read from disk at start-up, by path ('pages/needs/show.hbs'); the partials
 * registered by name. The one place a template is compiled, and only from these files. Rendered directly rather than
 * through @fastify/view (the benches' ceilings still use it), which spent on every render what a page never needed:
 * cache-key strings and LRU lookups per template, a layout check, three copies of the data, a promise per step and
 * an onRequest hook to reset reply.locals.
 *
 * Compiled once per locale, with the words of the messages without parameters written in (withMessages); a page
 * picks its locale's template by its data's locale, as {{t}} does. A partial called on an indented line is not
 * indented (preventIndent): Handlebars indents every line of its output, the lines of a value too, so a multi-line
 * description in a form's textarea came back with spaces added to each line, and more on every save.
 */
export function templates(root: string): (file: string) => Handlebars.TemplateDelegate {
  const files = hbsFilesIn(root).map((file) => ({ file, source: fs.readFileSync(path.join(root, file), 'utf8') }))
  const partials = Object.entries(partialsIn(path.join(root, 'partials')))
  const compiledIn = (locale: Locale) => {
    const hbs = createHandlebars()
    // Our helpers named to the compiler: a call then goes straight to the helper. Otherwise each {{t}} and (tk …)
    // looks its name up in the helpers and then in the context, through Handlebars' guarded property reads, and a
    // match page has hundreds of them (twenty cards).
    const knownHelpers = Object.fromEntries(Object.keys(hbs.helpers).map((name) => [name, true]))
    const compiled = new Map<string, Handlebars.TemplateDelegate>()
    for (const { file, source } of files) {
      // Written and compiled on first use, as Handlebars compiles: parsing every file at start-up took ~0.5 s, on
      // every app a test builds too.
      let template: Handlebars.TemplateDelegate | undefined
      compiled.set(file, (context, options) =>
        (template ??= hbs.compile(withMessages(hbs, source, locale), { knownHelpers, preventIndent: true }))(
          context,
          options,
        ),
      )
    }
    for (const [name, file] of partials) hbs.registerPartial(name, compiled.get(file)!)
    return compiled
  }
  const byLocale = new Map(LOCALES.map((locale) => [locale, compiledIn(locale)]))
  const delegates = new Map<string, Handlebars.TemplateDelegate>()
  for (const { file } of files) {
    const of = (locale: unknown) => byLocale.get(isLocale(locale) ? locale : DEFAULT_LOCALE)!.get(file)!
    delegates.set(file, (context, options) => of((options?.data?.root ?? context)?.locale)(context, options))
  }
  return (file) => {
    const template = delegates.get(file)
    if (!template) throw new Error(`no template ${file}`)
    return template
  }
}

const LAYOUT = 'layouts/main.hbs'

export default fp(
  async (app) => {
    const template = templates(path.join(app.config.root, 'views'))
    // What a preHandler adds to every page (the header's unread badge, the Reports link); a route's own data wins.
    app.decorateReply('locals', null)

    app.decorateReply('flash', function (this: FastifyReply, key: string, params?: Record<string, string | number>) {
      this.setCookie(FLASH_COOKIE, JSON.stringify({ key, params }), {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        signed: true,
        maxAge: 60,
        secure: app.config.secureCookies,
      })
      return this
    })

    /**
     * The one place that reads htmx headers: the same URL answers a full page or, for htmx, just the
     * partial it swaps. History restores and boosted navigations need the whole page.
     */
    app.decorateReply(
      'render',
      async function (this: FastifyReply, page: string, data: Record<string, unknown> = {}, opts: RenderOptions = {}) {
        const req = this.request
        const fragment =
          req.headers['hx-request'] === 'true' &&
          !req.headers['hx-history-restore-request'] &&
          !req.headers['hx-boosted']
        this.header('Vary', 'HX-Request, Accept-Language, Cookie')
        if (opts.status) this.code(opts.status)
        let flash: string | undefined
        const rawFlash = req.cookies[FLASH_COOKIE]
        // Only the layout shows a flash: a fragment answered meanwhile (topic chips while a form is sent) must not eat it.
        if (rawFlash && !fragment) {
          const unsigned = this.unsignCookie(rawFlash)
          if (unsigned.valid && unsigned.value) {
            try {
              const parsed = JSON.parse(unsigned.value) as Problem
              flash = translate(req.locale, parsed.key, parsed.params)
            } catch {
              /* a tampered or stale flash is simply dropped */
            }
          }
          this.clearCookie(FLASH_COOKIE, { path: '/' })
        }
        // A CSRF token needs a session; anonymous pages only make one when they carry a form.
        const csrf = req.user || data.form ? this.generateCsrf() : undefined
        const locals: Record<string, unknown> = {
          ...this.locals,
          // Every page names itself: a route's own title (a listing's name), else its page's (views/pages/<page>.hbs → `page.<page>`).
          title: catalogue(req.locale)[`page.${page}`],
          ...data,
          locale: req.locale,
          otherLocale: req.locale === 'zh-CN' ? 'en' : 'zh-CN',
          user: req.user,
          isBroker: req.user?.role === 'broker',
          isAdmin: req.user?.role === 'admin',
          isStaff: req.user?.role === 'broker' || req.user?.role === 'admin',
          csrf,
          flash,
          path: req.url,
        }
        let html: string
        try {
          // A page with no smaller partial is its own fragment: htmx never gets a second <html> to swap in.
          if (fragment) html = template(opts.partial ? `partials/${opts.partial}.hbs` : `pages/${page}.hbs`)(locals)
          else {
            locals.body = template(`pages/${page}.hbs`)(locals)
            html = template(LAYOUT)(locals)
          }
        } catch (err) {
          return this.send(err)
        }
        if (!this.hasHeader('content-type')) this.header('Content-Type', 'text/html; charset=utf-8')
        return this.send(html)
      },
    )
  },
  { name: 'view', dependencies: ['@fastify/cookie'] },
)
