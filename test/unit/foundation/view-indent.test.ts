/**
 * A partial called alone on its line is indented by `indented` (src/plugins/view.ts), not by Handlebars' own split and
 * join: the page must read exactly as Handlebars indented it, values with line breaks included.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import Handlebars from 'handlebars'
import { indented, templates } from '../../../src/plugins/view.js'

/** Handlebars' own way (runtime.js, invokePartialWrapper). */
function asHandlebars(text: string, indent: string): string {
  const lines = text.split('\n')
  for (let i = 0, l = lines.length; i < l; i++) {
    if (!lines[i] && i + 1 === l) break
    lines[i] = indent + lines[i]
  }
  return lines.join('\n')
}

describe('indented', () => {
  it('indents every line but an empty last one, as Handlebars does', () => {
    const pieces = ['', '\n', 'a', ' ', '\r\n', '\n\n']
    const texts = new Set<string>()
    for (const a of pieces) for (const b of pieces) for (const c of pieces) texts.add(a + b + c)
    for (const text of texts)
      for (const indent of ['  ', '\t'])
        expect(indented(text, indent), JSON.stringify(text)).toBe(asHandlebars(text, indent))
  })

  it('indents a partial called indented as Handlebars does, inside and out', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'views-'))
    try {
      fs.mkdirSync(path.join(dir, 'partials'))
      fs.mkdirSync(path.join(dir, 'pages'))
      const partials = {
        inner: '<i>{{text}}</i>\n',
        outer: '<p>\n  {{> inner}}\n</p>\n{{text}}\n',
        empty: '{{#if no}}x{{/if}}',
      }
      const page = '<div>\n    {{> outer}}\n  {{> empty}}\n  {{> inner text="one\ntwo\n"}}\n</div>\n'
      for (const [name, source] of Object.entries(partials))
        fs.writeFileSync(path.join(dir, 'partials', `${name}.hbs`), source)
      fs.writeFileSync(path.join(dir, 'pages', 'p.hbs'), page)
      const hbs = Handlebars.create()
      for (const [name, source] of Object.entries(partials)) hbs.registerPartial(name, source)
      for (const text of ['plain', 'a\nb', 'ends\n', '']) {
        const data = { text }
        expect(templates(dir)('pages/p.hbs')(data), JSON.stringify(text)).toBe(hbs.compile(page)(data))
      }
      expect(templates(dir)('pages/p.hbs')({ text: 'a\nb' })).toContain('\n    <p>\n      <i>a\n      b</i>\n')
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
