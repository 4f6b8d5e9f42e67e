/**
 * Templates are compiled once per locale with the words of each `{{t "key"}}` without parameters written in
 * (withMessages in src/plugins/view.ts). A page must read exactly as it did when each was a helper call.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type Handlebars from 'handlebars'
import { ROOT } from '../../../src/config.js'
import { LOCALES } from '../../../src/i18n/i18n.js'
import '../../../src/app.js'
import { createHandlebars, partialsIn, templates, withMessages } from '../../../src/plugins/view.js'

const root = path.join(ROOT, 'views')
const files = fs
  .readdirSync(root, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.hbs'))
  .sort()

/** The templates as they were compiled before: each {{t}} a helper call. */
function asWritten(): (file: string) => Handlebars.TemplateDelegate {
  const hbs = createHandlebars()
  const compiled = new Map(
    files.map((f) => [f, hbs.compile(fs.readFileSync(path.join(root, f), 'utf8'), { preventIndent: true })]),
  )
  for (const [name, file] of Object.entries(partialsIn(path.join(root, 'partials'))))
    hbs.registerPartial(name, compiled.get(file)!)
  return (file) => compiled.get(file)!
}

const outcome = (render: () => string) => {
  try {
    return render()
  } catch (err) {
    return `threw ${(err as Error).message}`
  }
}

describe('messages written into the templates', () => {
  it('leave every template under views/ reading as it did, in both locales', () => {
    const before = asWritten()
    const after = templates(root)
    const differ: string[] = []
    for (const file of files)
      for (const locale of LOCALES) {
        // Empty data takes most templates down their else branches; the pages' tests cover the full ones.
        for (const data of [{ locale }, { locale, user: { name: 'u', role: 'admin' }, csrf: 't', isStaff: true }])
          if (outcome(() => after(file)(data)) !== outcome(() => before(file)(data))) differ.push(`${file} ${locale}`)
      }
    expect(files.length).toBeGreaterThan(50)
    expect(differ).toEqual([])
  })

  it('write in the words of a message without parameters, escaped, and leave the rest to the helper', () => {
    const hbs = createHandlebars()
    expect(withMessages(hbs, '<a title="{{t "nav.needs"}}">{{t "nav.offers"}}</a>', 'en')).toBe(
      '<a title="Needs">Offers</a>',
    )
    const kept = [
      '{{t "needs.count" count=n}}', // parameters
      '{{~t "nav.needs"}}', // whitespace control around it
      '{{{t "nav.needs"}}}', // not escaped
      '{{t key}}', // a key known only when rendering
      '(t "nav.needs")', // a value passed on, not text
      '{{!-- {{t "nav.needs"}} --}}', // in a comment
    ]
    for (const source of kept) expect(withMessages(hbs, source, 'en'), source).toBe(source)
  })

  it('leave words that could change how the text around them is read to the helper', () => {
    const hbs = createHandlebars()
    // A missing key shows as itself (text, written in); words with braces or a line break are not.
    expect(withMessages(hbs, '{{t "no.such.key"}}', 'en')).toBe('no.such.key')
    const escaped = withMessages(hbs, '{{t "app.name"}} & {{t "nav.needs"}}', 'zh-CN')
    expect(escaped).not.toContain('{{')
  })

  it('are picked by the locale of the data, as {{t}} picks them', () => {
    const template = templates(root)('layouts/main.hbs')
    expect(template({ locale: 'en', body: '' })).toContain('<html lang="en">')
    expect(template({ locale: 'en', body: '' })).toMatch(/Skip to/i)
    // No locale: Chinese, the default {{t}} falls back to.
    expect(template({ body: '' })).toBe(asWritten()('layouts/main.hbs')({ body: '' }))
    expect(template({ body: '' })).toContain('社区资源桥')
  })
})
