import { describe, expect, it } from 'vitest'
import { format, formatReason, list, messages } from '../../../src/matching/messages.js'

describe('matcher messages', () => {
  it('has every English key in Chinese too, except English-only singular forms', () => {
    const missing = Object.keys(messages.en).filter((k) => !k.endsWith('.one') && !(k in messages['zh-CN']))
    expect(missing).toEqual([])
  })

  it('uses the same placeholders in both languages', () => {
    const names = (t: string) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',')
    const differ = Object.keys(messages['zh-CN']).filter((k) => names(messages['zh-CN'][k]) !== names(messages.en[k] ?? ''))
    expect(differ).toEqual([])
  })

  it('joins lists the way each language does', () => {
    expect(list(['Monday', 'Tuesday', 'Friday'], 'en')).toBe('Monday, Tuesday and Friday')
    expect(list(['周一', '周二', '周五'], 'zh-CN')).toBe('周一、周二和周五')
  })

  it('translates weekday, period and unit codes inside a reason', () => {
    const r = { key: 'reason.schedule.days_periods', params: { day: 'WEEKDAYS', periods: 'morning,evening' } }
    expect(formatReason(r, 'en')).toBe('free on weekday mornings and evenings')
    expect(formatReason(r, 'zh-CN')).toBe('双方工作日上午和晚上都有空')
    expect(format('reason.schedule.days', { days: 'SA,SU' }, 'en')).toBe('free on Saturdays and Sundays')
  })

  it('groups the thousands of large amounts', () => {
    expect(format('reason.coverage.full', { quantity: 50000, unit: 'yuan' }, 'en')).toBe('covers all 50,000 yuan')
    expect(format('reason.coverage.full', { quantity: 50000, unit: 'yuan' }, 'zh-CN')).toBe('可满足全部50,000元')
  })

  it('keeps a unit it does not know as written', () => {
    expect(format('reason.coverage.full', { quantity: 3, unit: '桌' }, 'en')).toBe('covers all 3 桌')
  })

  it('uses the singular when one offer is meant', () => {
    expect(format('whynot.blocked.schedule', { offers: 1, noun: 'venue' }, 'en')).toBe('1 venue never meets your schedule')
    expect(format('whynot.blocked.schedule', { offers: 3, noun: 'venue' }, 'en')).toBe('3 venues never meet your schedule')
    expect(format('whynot.blocked.schedule', { offers: 3, noun: 'venue' }, 'zh-CN')).toBe('3处场地的时间与需求时间不重合')
  })

  it('names areas through the caller, with a fallback', () => {
    const r = { key: 'whynot.unlock.area', params: { area: 12, offers: 2, noun: 'funds' } }
    expect(formatReason(r, 'en', { areaName: (id) => (id === 12 ? 'Changshou community' : undefined) })).toBe('hold it in Changshou community: 2 funding offers serve there')
    expect(formatReason(r, 'zh-CN')).toBe('改在区域12开展：2笔资金服务该区域')
  })

  it('shows an unknown key as itself, so a gap is visible rather than blank', () => {
    expect(format('reason.nonexistent', {}, 'en')).toBe('reason.nonexistent')
  })
})
