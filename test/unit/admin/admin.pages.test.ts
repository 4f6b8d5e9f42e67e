import { describe, expect, it } from 'vitest'
import type { CurrentUser } from '../../../src/accounts/accounts.js'
import { areaAdminView, usersView, type loadAreaAdmin, type loadUsers } from '../../../src/admin/admin.pages.js'
import { vocabularyView, type loadVocabulary } from '../../../src/admin/vocabulary.pages.js'

const t = (key: string) => `[${key}]`

describe('usersView: the admin page', () => {
  const data = {
    users: [
      { id: 1, name: 'Admin', role: 'admin' },
      { id: 2, name: '李', role: 'member' },
    ],
    areaOptions: [],
    events: [
      { id: 1, action: 'need.posted', subjectType: 'need', subjectId: 12 },
      { id: 2, action: 'brand.new_thing', subjectType: 'organization', subjectId: null },
      { id: 3, action: 'need.posted', subjectType: 'user', subjectId: 4 },
    ],
  } as unknown as ReturnType<typeof loadUsers>

  it('marks the admin among the accounts, so it is not offered to demote or disable itself', () => {
    const v = usersView(data, { id: 1 } as CurrentUser, 'en', t)
    expect(v.users.map((u) => u.isSelf)).toEqual([true, false])
  })

  it('says each action in words, an action with none yet by its code, and links subjects that have a page', () => {
    const v = usersView(data, { id: 1 } as CurrentUser, 'en', t)
    expect(v.events.map((e) => [e.actionText, e.subjectLink])).toEqual([
      ['posted a need', '/needs/12'],
      ['brand.new_thing', undefined],
      ['posted a need', undefined],
    ])
    expect(v.events[0]!.subjectText).toBe('[event.subject.need]')
  })
})

describe('areaAdminView: the areas admin page', () => {
  it('offers every level but a community as a parent, and gives a refused form back as typed', () => {
    const data = {
      tree: [],
      areaOptions: [
        { id: 1, level: 'district', label: '武昌区' },
        { id: 2, level: 'street', label: '东湖街道' },
        { id: 3, level: 'community', label: '水果湖社区' },
      ],
    } as unknown as ReturnType<typeof loadAreaAdmin>
    const v = areaAdminView(data, { name: '' }, { name: { key: 'validation.required' } })
    expect(v.areaOptions.map((a) => a.id)).toEqual([1, 2])
    expect([v.values, v.errors]).toEqual([{ name: '' }, { name: { key: 'validation.required' } }])
  })
})

describe('vocabularyView: the topic vocabulary', () => {
  const data = {
    vocab: {
      topics: [
        { code: 'rehearsal', category: 'space', zh: '排练', en: 'rehearsal', synonyms: ['彩排', '练歌'] },
        { code: 'meeting', category: 'space', zh: '开会', en: 'meeting', synonyms: [] },
      ],
    },
    additions: [
      { topic: 'meeting', kind: 'topic', term: '开会' },
      { topic: 'rehearsal', kind: 'synonym', term: '练歌' },
    ],
    categories: [{ code: 'space', nameZh: '场地', nameEn: 'Space' }],
    topicOptions: [],
  } as unknown as ReturnType<typeof loadVocabulary>

  it('marks the topics and synonyms an admin added, not those shipped with the app', () => {
    const [space] = vocabularyView(data, 'en', t).categories
    expect(space!.name).toBe('Space')
    expect(space!.topics.map((tp) => [tp.code, tp.added])).toEqual([
      ['rehearsal', false],
      ['meeting', true],
    ])
    expect(space!.topics[0]!.synonyms).toEqual([
      { term: '彩排', added: false },
      { term: '练歌', added: true },
    ])
  })

  it('keeps each form as typed with its own problems, the other form empty', () => {
    const v = vocabularyView(data, 'zh-CN', t, {
      synonym: { term: '练' },
      synonymErrors: { topic: { key: 'validation.choose' } },
    })
    expect([v.synonymValues, v.synonymErrors, v.topicValues, v.topicErrors]).toEqual([
      { term: '练' },
      { topic: { key: 'validation.choose' } },
      {},
      {},
    ])
  })
})
