import fs from 'node:fs'
import path from 'node:path'
import { describe as group, expect, it } from 'vitest'
import { buildVocabulary, describe, topicFor, type Subject } from '../../../src/matching/topics.js'
import { fitsBySubject, keywordRelevance, relate, RELEVANCE_FLOOR } from '../../../src/matching/topic-relation.js'
import { TOPICS } from '../../../src/matching/vocabulary.js'

const vocab = buildVocabulary(TOPICS)
const about = (category: string, text: string) => describe(vocab, category, text)
const topicsOf = (category: string, text: string) => [...about(category, text).topics].sort()
const relation = (category: string, needText: string, offerText: string) =>
  relate(category, about(category, needText), about(category, offerText))

group('the shipped vocabulary', () => {
  it('has unique codes, both names and synonyms in both languages for every topic, in the seven categories', () => {
    const categories = new Set(['venue', 'funds', 'volunteers', 'training', 'materials', 'expertise', 'publicity'])
    const codes = new Set<string>()
    for (const t of TOPICS) {
      expect(codes.has(t.code), t.code).toBe(false)
      codes.add(t.code)
      expect(categories.has(t.category), t.code).toBe(true)
      expect(t.zh && t.en, t.code).toBeTruthy()
      expect(
        t.synonyms.some((s) => /\p{sc=Han}/u.test(s)),
        `${t.code} has a Chinese synonym`,
      ).toBe(true)
      expect(
        t.synonyms.some((s) => /^[a-z]/i.test(s)),
        `${t.code} has an English synonym`,
      ).toBe(true)
    }
    expect(TOPICS.length).toBeGreaterThanOrEqual(80)
    for (const c of categories) expect(TOPICS.filter((t) => t.category === c).length, c).toBeGreaterThanOrEqual(8)
  })
})

type Labelled = { category: string; title: string; description: string; topics: string[] }
const FIXTURES = path.join(import.meta.dirname, '../../fixtures/topics')
const labelled: Labelled[] = fs
  .readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => JSON.parse(fs.readFileSync(path.join(FIXTURES, f), 'utf8')) as Labelled[])

group('inference on the labelled listings', () => {
  it('holds micro-averaged precision and recall at 0.95 or more', () => {
    expect(labelled.length).toBeGreaterThanOrEqual(300)
    let [hits, predicted, expected] = [0, 0, 0]
    const wrong: string[] = []
    for (const l of labelled) {
      const got = about(l.category, `${l.title}\n${l.description}`).topics
      const h = got.filter((t) => l.topics.includes(t)).length
      ;[hits, predicted, expected] = [hits + h, predicted + got.length, expected + l.topics.length]
      if (h !== got.length || h !== l.topics.length) wrong.push(`${l.title}: want [${l.topics}] got [${got}]`)
    }
    const precision = hits / predicted
    const recall = hits / expected
    console.log(
      `topic inference on ${labelled.length} listings: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}` +
        (wrong.length ? `; not exact:\n  ${wrong.join('\n  ')}` : ''),
    )
    expect(precision).toBeGreaterThanOrEqual(0.95)
    expect(recall).toBeGreaterThanOrEqual(0.95)
  })

  it("labels only topics of the listing's own category, with both languages and listings about nothing in particular", () => {
    for (const l of labelled)
      for (const t of l.topics) expect(vocab.byCode.get(t)?.category, `${l.title}: ${t}`).toBe(l.category)
    expect(labelled.filter((l) => /\p{sc=Han}/u.test(l.title)).length).toBeGreaterThanOrEqual(100)
    expect(labelled.filter((l) => !/\p{sc=Han}/u.test(l.title)).length).toBeGreaterThanOrEqual(100)
    expect(labelled.filter((l) => l.topics.length === 0).length).toBeGreaterThanOrEqual(10)
  })
})

group('describe', () => {
  it('reads synonyms in both languages as one topic', () => {
    for (const text of [
      '广场舞便携音响',
      '借一个小蜜蜂扩音器',
      '两只蓝牙音箱',
      'Need a portable PA system',
      'two speakers and a wireless mic',
    ]) {
      expect(topicsOf('materials', text), text).toEqual(['sound_equipment'])
    }
    for (const text of [
      '长者智能手机使用培训',
      '手机课：教老人用微信视频通话',
      'Smartphone lessons for older residents',
    ]) {
      expect(topicsOf('training', text), text).toContain('smartphone_lessons')
    }
    for (const text of [
      '荔枝湾居民活动室',
      '党群服务中心多功能室',
      '西坊小学礼堂',
      '南岸街道会议室',
      'Church hall for 40 people',
    ]) {
      expect(topicsOf('venue', text), text).toEqual(['activity_room'])
    }
  })

  it("tells apart the issue's near-misses: old phones, desks, heat relief and crafts are not a speaker", () => {
    const speaker = about('materials', '广场舞便携音响\n现在用的音响坏了一只喇叭，想借或添置一套便携音响。')
    for (const offer of [
      '捐赠旧智能手机\n回收的旧手机已清除数据',
      '旧课桌椅捐赠\n学校更换下来的课桌椅',
      '防暑降温物资包\n含凉茶、毛巾、风油精',
      '残障伙伴手工艺品\n布艺和串珠作品',
    ]) {
      expect(relate('materials', speaker, about('materials', offer)), offer).toBe('other')
    }
    expect(relate('materials', speaker, about('materials', '可借用的户外音响\n两套带话筒的户外音响'))).toBe('same')
  })

  it('does not read a smartphone lesson into finance training, old phones or phone photography', () => {
    const lessons = about('training', '长者智能手机使用培训\n很多老人不会用手机挂号、扫健康码、视频通话')
    expect(
      relate('training', lessons, about('training', '社区骨干财务规范培训\n社区组织负责人财务和活动台账培训')),
    ).toBe('other')
    expect(relate('training', lessons, about('training', '营业厅手机一对一教学'))).toBe('same')
    expect(topicsOf('training', '手机摄影入门课')).toEqual(['arts_training'])
    expect(topicsOf('training', '旧手机回收讲座')).not.toContain('smartphone_lessons')
  })

  it('matches an English need with a Chinese offer and the reverse', () => {
    expect(relation('materials', 'Speakers for square dancing in the park', '可借用的户外音响')).toBe('same')
    expect(
      relation('volunteers', '陪老人去医院复诊', 'Volunteers to accompany residents to hospital appointments'),
    ).toBe('same')
    expect(relation('venue', 'A kitchen for a cooking class', '社区厨房，可以做饭')).toBe('same')
    expect(relation('venue', 'A kitchen for a cooking class', '南岸街道会议室')).toBe('other')
  })

  it('ignores what a clause says is not wanted', () => {
    expect(topicsOf('venue', '雨季室内排练场地\n雨季广场没法跳，需要室内场地')).toEqual(['activity_room'])
    expect(topicsOf('training', 'Smartphone lessons, no cooking class')).toEqual(['smartphone_lessons'])
  })

  it('lets the longest term win and a `not` phrase tag nothing', () => {
    expect(topicsOf('venue', '广场舞队排练')).toEqual(['activity_room']) // 广场舞 is not a square
    expect(topicsOf('materials', '笔记本电脑两台')).toEqual(['computers']) // not stationery notebooks
  })

  it('gives keywords normalised through synonyms, without category words', () => {
    const zh = about('venue', '需要场地，有音箱更好')
    const en = about('venue', 'a space with speakers')
    expect(zh.topics).toEqual([])
    expect(zh.keywords).toContain('音响设备')
    expect(en.keywords).toContain('音响设备')
    expect(zh.keywords).not.toContain('场地')
    expect(about('training', '培训 training course').keywords).toEqual([])
  })

  it('is deterministic and copes with empty or odd text', () => {
    expect(about('venue', '')).toEqual({ topics: [], keywords: [] })
    expect(about('venue', '！！！ ???')).toEqual({ topics: [], keywords: [] })
    expect(about('materials', 'ＳＰＥＡＫＥＲＳ')).toEqual(about('materials', 'speakers'))
    expect(about('unknown-category', '音响').topics).toEqual([])
  })

  it("takes in an admin's synonym and new topic", () => {
    const extended = buildVocabulary(TOPICS, [
      { category: 'materials', topic: 'sound_equipment', kind: 'synonym', lang: 'zh', term: '声霸' },
      { category: 'venue', topic: 'dragon_boat_shed', kind: 'topic', lang: 'zh', term: '龙船棚' },
      { category: 'venue', topic: 'dragon_boat_shed', kind: 'topic', lang: 'en', term: 'boat shed' },
    ])
    expect(describe(extended, 'materials', '借一台声霸').topics).toEqual(['sound_equipment'])
    expect(describe(extended, 'venue', '龙船棚借用').topics).toEqual(['dragon_boat_shed'])
    expect(describe(extended, 'venue', 'the boat shed').topics).toEqual(['dragon_boat_shed'])
    expect(describe(vocab, 'materials', '借一台声霸').topics).toEqual([])
  })
})

group('topicFor', () => {
  it('reads a code, a name or a synonym in either language as the topic of its category, and nothing else', () => {
    expect(topicFor(vocab, 'materials', 'sound_equipment')).toBe('sound_equipment')
    expect(topicFor(vocab, 'materials', '音箱')).toBe('sound_equipment')
    expect(topicFor(vocab, 'materials', ' Speakers ')).toBe('sound_equipment')
    expect(topicFor(vocab, 'venue', 'kitchen')).toBe('kitchen')
    expect(topicFor(vocab, 'venue', 'sound_equipment')).toBeUndefined() // another category's
    expect(topicFor(vocab, 'training', '旧手机')).toBeUndefined() // a `not` phrase
    expect(topicFor(vocab, 'materials', '便携音响一台')).toBeUndefined() // a phrase, not a term
    expect(topicFor(vocab, 'materials', '')).toBeUndefined()
  })
})

group('relate', () => {
  const s = (topics: string[], keywords: string[] = []): Subject => ({ topics, keywords })

  it('is same with a shared topic and other without, whatever the keywords', () => {
    expect(relate('materials', s(['sound_equipment']), s(['sound_equipment', 'projector_screen']))).toBe('same')
    expect(relate('materials', s(['sound_equipment'], ['音响设备']), s(['phones_tablets'], ['音响设备']))).toBe('other')
  })

  it('lets a fund with no stated purpose serve any need, but not a fund for something else', () => {
    expect(relate('funds', s(['fund_culture']), s([]))).toBe('same')
    expect(relate('funds', s([]), s([]))).toBe('same')
    expect(relate('funds', s(['fund_culture']), s(['fund_elderly']))).toBe('other')
    expect(relate('venue', s(['kitchen']), s([]))).not.toBe('same')
  })

  it('falls back on keyword relevance when a side has no topic', () => {
    expect(relate('venue', s([], ['音响设备', '安静']), s(['activity_room'], ['活动室/会议室', '音响设备']))).toBe(
      'related',
    )
    expect(relate('venue', s([], ['雨季']), s(['activity_room'], ['活动室/会议室']))).toBe('unclear')
    expect(relate('venue', s([]), s([]))).toBe('unclear')
    expect(relate('materials', s([], ['折叠凳']), s([], ['折叠凳']))).toBe('related')
    expect(relate('materials', s([], ['折叠凳', '长桌', '户外']), s([], ['折叠凳', '拍照', '相机']))).toBe('unclear')
    expect(keywordRelevance(['a', 'b'], ['b', 'c', 'd'])).toBeCloseTo(1 / 3)
    expect(keywordRelevance([], ['a'])).toBe(0)
    expect(RELEVANCE_FLOOR).toBeGreaterThan(0)
  })

  it('fits only same and related', () => {
    expect((['same', 'related', 'other', 'unclear'] as const).map(fitsBySubject)).toEqual([true, true, false, false])
  })
})
