/**
 * The match lists of a need's and an offer's page (views/partials/matching/*-matches.hbs), called at the margin with
 * their indentation written into them: their markup pinned, so a change of how the pages call them shows here.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { templates } from '../../../src/plugins/view.js'
import { ROOT } from '../../../src/config.js'

const template = templates(path.join(ROOT, 'views'))
const reasons = { top: ['同类'], score: 70, table: [] }
const card = (id: number) => ({
  offer: { id, title: `offer ${id}`, orgName: 'org', remaining: 3, unit: 'piece', unanswered: false },
  need: { id, title: `need ${id}`, orgName: 'org', remaining: 2, unit: 'piece' },
  score: 70,
  reasons,
  quantity: 2,
  canPropose: true,
})
const page = (file: string, more: Record<string, unknown>) =>
  template(file)({
    locale: 'zh-CN',
    csrf: 'token',
    idem: 'k',
    need: { id: 7, title: 'n', status: 'open', category: 'venue', urgency: 'normal' },
    offer: { id: 8, title: 'o', status: 'open', category: 'venue' },
    categoryNames: {},
    share: {},
    help: {},
    ...more,
  })

describe("a listing's page lists its matches", () => {
  it("on a need's page, indented under the article as an indented call indented them", () => {
    const html = page('pages/needs/show.hbs', { matches: [card(1)], matchTotal: 1, canRequest: true, canPropose: true })
    expect(html).toContain('\n  <section id="need-matches">\n    <h2>')
    expect(html).toContain('\n    <ol class="cards single ranked">\n      <li class="card fit" id="fit-offer-1">\n')
    expect(html).toContain(
      '\n        <ul class="reasons"><li>同类</li></ul>\n        <form method="post" action="/needs/7/requests"',
    )
    // The line after the token's hidden field: shared/csrf ends in a newline, which the indented call indented.
    expect(html).toContain('value="token">\n  <input type="hidden" name="offerId" value="1">')
    expect(html).toContain('value="token">\n  <input type="hidden" name="needId" value="7">')
    expect(html).toContain('\n    </ol>\n  </section>\n</article>')
  })

  it("on a need's page without matches, with why none fits", () => {
    const whyNot = { considered: 4, blocked: ['a'], otherCategories: 0, unlock: 'u' }
    const html = page('pages/needs/show.hbs', { matches: [], matchTotal: 0, whyNot })
    expect(html).toContain('\n    <div class="card whynot" id="why-not">\n')
    expect(html).toContain('</p>\n    </div>\n    </section>\n</article>')
  })

  it("on an offer's page, with matches and without", () => {
    const html = page('pages/offers/show.hbs', { matches: [card(2)], matchTotal: 1, canPledge: true })
    expect(html).toContain('\n  <section id="offer-matches">\n    <h2>')
    expect(html).toContain('value="token">\n  <input type="hidden" name="needId" value="2">')
    expect(html).toContain('\n    </ol>\n    \n  </section>\n</article>')
    const none = page('pages/offers/show.hbs', { matches: [], matchTotal: 0 })
    expect(none).toMatch(/<\/h2>\n {2}<p class="empty">[^<]+<\/p>\n {2}<\/section>\n<\/article>/)
  })
})

describe("a listing's page lists its matches under way only when it has some", () => {
  const progress = [
    { id: 5, state: 'proposed', offerTitle: 'o', needTitle: 'n', quantity: 2, unit: 'piece', updatedAt: '2026-01-01' },
  ]
  // The call is guarded in the page (no copy of the page's data for most listings): the section is there only then.
  it.each([
    ['pages/needs/show.hbs', 'need-matches', 'o'],
    ['pages/offers/show.hbs', 'offer-matches', 'n'],
  ])('%s', (file, list, title) => {
    const html = page(file, { matches: [], matchTotal: 0, progress })
    expect(html).toContain('\n  <section class="card" id="listing-matches">\n  <h2>')
    expect(html).toContain(`</span> ${title} · 2 `)
    expect(html).toContain(`</ul>\n</section>\n  <section id="${list}">`)
    for (const none of [[], undefined]) {
      const without = page(file, { matches: [], matchTotal: 0, progress: none })
      expect(without).not.toContain('listing-matches')
      expect(without).toContain(`\n  <section id="${list}">`)
      expect(without.split('\n').length).toBe(html.split('\n').length - 4)
    }
  })
})
