/**
 * The matcher's words, in both languages. Reasons and "why not" answers carry a key and codes, never
 * finished text, so the same result reads naturally to a leader in Chinese and to a foundation in English.
 *
 * Placeholders are plain `{name}`. Some parameters hold codes that formatReason() translates by name:
 *   day / days  weekday codes ('TU,TH', 'WEEKDAYS'), as "Tuesday and Thursday" / "Tuesdays and Thursdays"
 *   periods     parts of the day ('evening,night')        unit   a need's unit ('hours', 'yuan', …)
 *   noun        a category, as a countable noun for {offers}  focus  a focus group ('elderly')
 *   terms       the user's own words, comma-separated     area   an area id, named by the caller
 *   from/until  ISO dates, '' for open-ended
 * A key with a `.one` twin uses it when {offers} (or else {count}) is 1.
 * The catalogues can be handed to the app's i18n (addMessages) as they are; text with codes in it should
 * still go through formatReason.
 */
import type { Locale, Message } from './types.js'

const en: Record<string, string> = {
  'reason.relevance.terms': 'relevant: {terms}',
  'reason.relevance.score': 'text match {percent}%',
  'reason.area.same_place': 'right at your place',
  'reason.area.same_community': 'same community',
  'reason.area.same_street': 'same street',
  'reason.area.same_district': 'same district',
  'reason.area.anywhere': 'serves everywhere',
  'reason.coverage.full': 'covers all {quantity} {unit}',
  'reason.coverage.partial': 'covers {percent}% of {quantity} {unit}',
  'reason.schedule.any_time': 'no schedule limits on either side',
  'reason.schedule.days_periods': 'free on {day} {periods}',
  'reason.schedule.days_periods_two': 'free on both {day} {periods}',
  'reason.schedule.days': 'free on {days}',
  'reason.schedule.periods': 'free every day in the {periods}',
  'reason.dates.any': 'no date limits',
  'reason.dates.covered': 'available throughout your dates',
  'reason.dates.partial': 'available on {percent}% of your dates',
  'reason.dates.some': 'available for part of your dates',
  'reason.urgency.high': 'urgent need',
  'reason.urgency.normal': 'normal urgency',
  'reason.urgency.low': 'not urgent',
  'reason.fairness.no_matches': 'no match received yet: first in line',
  'reason.fairness.few_matches': 'only {count} matches so far',
  'reason.fairness.few_matches.one': 'only 1 match so far',
  'reason.fairness.not_vouched': 'not yet vouched for: extra support',
  'reason.fairness.small': 'small group ({members} members)',
  'reason.fairness.well_supported': 'already well supported ({count} matches)',
  'reason.track.new': 'new resource holder',
  'reason.track.delivered': 'delivered {count} times',
  'reason.track.delivered.one': 'delivered once',
  'reason.track.rated': 'delivered {count} times, rated {rating}/5',
  'reason.track.rated.one': 'delivered once, rated {rating}/5',

  'whynot.blocked.capacity': '{offers} {noun} have less than {quantity} {unit} left',
  'whynot.blocked.capacity.one': '1 {noun} has less than {quantity} {unit} left',
  'whynot.blocked.window': '{offers} {noun} are not available on your dates',
  'whynot.blocked.window.one': '1 {noun} is not available on your dates',
  'whynot.blocked.schedule': '{offers} {noun} never meet your schedule',
  'whynot.blocked.schedule.one': '1 {noun} never meets your schedule',
  'whynot.blocked.area': "{offers} {noun} don't serve your area",
  'whynot.blocked.area.one': "1 {noun} doesn't serve your area",
  'whynot.blocked.trust': '{offers} {noun} need a vouched or endorsed organization',
  'whynot.blocked.trust.one': '1 {noun} needs a vouched or endorsed organization',
  'whynot.blocked.focus': '{offers} {noun} are reserved for other groups',
  'whynot.blocked.focus.one': '1 {noun} is reserved for other groups',
  'whynot.unlock.capacity': 'reduce the quantity to {quantity} {unit}: {offers} {noun} could cover it',
  'whynot.unlock.window': 'widen your dates to {from} – {until}: {offers} {noun} become feasible',
  'whynot.unlock.window.one': 'widen your dates to {from} – {until}: 1 {noun} becomes feasible',
  'whynot.unlock.schedule.days_periods': 'widen to {day} {periods}: {offers} {noun} become feasible',
  'whynot.unlock.schedule.days_periods.one': 'widen to {day} {periods}: 1 {noun} becomes feasible',
  'whynot.unlock.schedule.days': 'widen to {days}: {offers} {noun} become feasible',
  'whynot.unlock.schedule.days.one': 'widen to {days}: 1 {noun} becomes feasible',
  'whynot.unlock.schedule.periods': 'widen to {periods} on any day: {offers} {noun} become feasible',
  'whynot.unlock.schedule.periods.one': 'widen to {periods} on any day: 1 {noun} becomes feasible',
  'whynot.unlock.area': 'hold it in {area}: {offers} {noun} serve there',
  'whynot.unlock.area.one': 'hold it in {area}: 1 {noun} serves there',
  'whynot.unlock.trust.vouched': 'ask a social worker to vouch for your organization: {offers} {noun} need a vouched organization',
  'whynot.unlock.trust.vouched.one': 'ask a social worker to vouch for your organization: 1 {noun} needs a vouched organization',
  'whynot.unlock.trust.endorsed': 'ask the street office to endorse your organization: {offers} {noun} need an endorsed organization',
  'whynot.unlock.trust.endorsed.one': 'ask the street office to endorse your organization: 1 {noun} needs an endorsed organization',
  'whynot.unlock.focus': 'partner with a group serving {focus}: {offers} {noun} are reserved for them',
  'whynot.unlock.focus.one': 'partner with a group serving {focus}: 1 {noun} is reserved for them',

  'allocation.unserved.no_feasible_offer': 'no open offer fits any of its needs',
  'allocation.unserved.capacity_exhausted': 'offers that fit were taken up by other needs',

  'weekday.MO': 'Monday', 'weekday.TU': 'Tuesday', 'weekday.WE': 'Wednesday', 'weekday.TH': 'Thursday',
  'weekday.FR': 'Friday', 'weekday.SA': 'Saturday', 'weekday.SU': 'Sunday',
  'weekday.WEEKDAYS': 'weekday', 'weekday.WEEKENDS': 'weekend',
  'weekdays.MO': 'Mondays', 'weekdays.TU': 'Tuesdays', 'weekdays.WE': 'Wednesdays', 'weekdays.TH': 'Thursdays',
  'weekdays.FR': 'Fridays', 'weekdays.SA': 'Saturdays', 'weekdays.SU': 'Sundays',
  'weekdays.WEEKDAYS': 'weekdays', 'weekdays.WEEKENDS': 'weekends',
  'period.morning': 'mornings', 'period.afternoon': 'afternoons', 'period.evening': 'evenings', 'period.night': 'nights',
  'unit.hours': 'hours', 'unit.yuan': 'yuan', 'unit.person-hours': 'volunteer-hours', 'unit.person_hours': 'volunteer-hours',
  'unit.seats': 'seats', 'unit.sessions': 'sessions', 'unit.items': 'items',
  'category.venue': 'venue', 'category.funds': 'funds', 'category.volunteers': 'volunteers', 'category.training': 'training',
  'category.equipment': 'equipment & materials', 'category.expertise': 'expertise', 'category.publicity': 'publicity',
  'noun.venue': 'venues', 'noun.venue.one': 'venue', 'noun.funds': 'funding offers', 'noun.funds.one': 'funding offer',
  'noun.volunteers': 'volunteer offers', 'noun.volunteers.one': 'volunteer offer',
  'noun.training': 'training offers', 'noun.training.one': 'training offer',
  'noun.equipment': 'equipment offers', 'noun.equipment.one': 'equipment offer',
  'noun.expertise': 'expert services', 'noun.expertise.one': 'expert service',
  'noun.publicity': 'publicity offers', 'noun.publicity.one': 'publicity offer',
  'noun.other': 'offers', 'noun.other.one': 'offer',
  'focus.elderly': 'older people', 'focus.children': 'children', 'focus.youth': 'young people', 'focus.women': 'women',
  'focus.disability': 'people with disabilities', 'focus.culture': 'culture', 'focus.environment': 'the environment',
  'focus.migrants': 'migrant workers',
  'area.unnamed': 'area {id}',
  'date.open': 'open',
}

const zhCN: Record<string, string> = {
  'reason.relevance.terms': '内容相关：{terms}',
  'reason.relevance.score': '文本匹配度{percent}%',
  'reason.area.same_place': '就在活动地点',
  'reason.area.same_community': '同一社区',
  'reason.area.same_street': '同一街道',
  'reason.area.same_district': '同一区',
  'reason.area.anywhere': '服务范围不限',
  'reason.coverage.full': '可满足全部{quantity}{unit}',
  'reason.coverage.partial': '可满足{quantity}{unit}中的{percent}%',
  'reason.schedule.any_time': '双方时间都不受限',
  'reason.schedule.days_periods': '双方{day}{periods}都有空',
  'reason.schedule.days_periods_two': '双方{day}{periods}都有空',
  'reason.schedule.days': '双方{days}都有空',
  'reason.schedule.periods': '双方每天{periods}都有空',
  'reason.dates.any': '日期不受限',
  'reason.dates.covered': '覆盖全部所需日期',
  'reason.dates.partial': '覆盖所需日期的{percent}%',
  'reason.dates.some': '覆盖部分所需日期',
  'reason.urgency.high': '需求紧急',
  'reason.urgency.normal': '一般紧急',
  'reason.urgency.low': '不紧急',
  'reason.fairness.no_matches': '尚未获得过对接，优先考虑',
  'reason.fairness.few_matches': '至今仅获得{count}次对接',
  'reason.fairness.not_vouched': '尚未获得担保，给予更多支持',
  'reason.fairness.small': '小型组织（{members}人）',
  'reason.fairness.well_supported': '已获较多支持（{count}次对接）',
  'reason.track.new': '新加入的资源方',
  'reason.track.delivered': '已完成{count}次对接',
  'reason.track.rated': '已完成{count}次对接，评分{rating}/5',

  'whynot.blocked.capacity': '{offers}{noun}剩余不足{quantity}{unit}',
  'whynot.blocked.window': '{offers}{noun}在所需日期不可用',
  'whynot.blocked.schedule': '{offers}{noun}的时间与需求时间不重合',
  'whynot.blocked.area': '{offers}{noun}不服务你所在的区域',
  'whynot.blocked.trust': '{offers}{noun}要求组织经过担保或认证',
  'whynot.blocked.focus': '{offers}{noun}只面向特定服务对象',
  'whynot.unlock.capacity': '将数量减少到{quantity}{unit}：{offers}{noun}可以满足',
  'whynot.unlock.window': '将日期放宽到{from}至{until}：{offers}{noun}变为可行',
  'whynot.unlock.schedule.days_periods': '时间放宽到{day}{periods}：{offers}{noun}变为可行',
  'whynot.unlock.schedule.days': '时间放宽到{days}：{offers}{noun}变为可行',
  'whynot.unlock.schedule.periods': '时间放宽到每天{periods}：{offers}{noun}变为可行',
  'whynot.unlock.area': '改在{area}开展：{offers}{noun}服务该区域',
  'whynot.unlock.trust.vouched': '请社工为你的组织担保：{offers}{noun}要求组织经过担保',
  'whynot.unlock.trust.endorsed': '请街道办认证你的组织：{offers}{noun}要求组织经过街道认证',
  'whynot.unlock.focus': '与服务{focus}的组织合作：{offers}{noun}只面向这类对象',

  'allocation.unserved.no_feasible_offer': '没有任何开放资源符合其需求',
  'allocation.unserved.capacity_exhausted': '符合条件的资源已被其他需求用完',

  'weekday.MO': '周一', 'weekday.TU': '周二', 'weekday.WE': '周三', 'weekday.TH': '周四',
  'weekday.FR': '周五', 'weekday.SA': '周六', 'weekday.SU': '周日',
  'weekday.WEEKDAYS': '工作日', 'weekday.WEEKENDS': '周末',
  'weekdays.MO': '周一', 'weekdays.TU': '周二', 'weekdays.WE': '周三', 'weekdays.TH': '周四',
  'weekdays.FR': '周五', 'weekdays.SA': '周六', 'weekdays.SU': '周日',
  'weekdays.WEEKDAYS': '工作日', 'weekdays.WEEKENDS': '周末',
  'period.morning': '上午', 'period.afternoon': '下午', 'period.evening': '晚上', 'period.night': '夜间',
  'unit.hours': '小时', 'unit.yuan': '元', 'unit.person-hours': '人时', 'unit.person_hours': '人时',
  'unit.seats': '个名额', 'unit.sessions': '场', 'unit.items': '件',
  'category.venue': '场地', 'category.funds': '资金', 'category.volunteers': '志愿者', 'category.training': '培训',
  'category.equipment': '物资', 'category.expertise': '专业服务', 'category.publicity': '宣传',
  'noun.venue': '处场地', 'noun.funds': '笔资金', 'noun.volunteers': '项志愿服务', 'noun.training': '项培训',
  'noun.equipment': '批物资', 'noun.expertise': '项专业服务', 'noun.publicity': '项宣传资源', 'noun.other': '项资源',
  'focus.elderly': '老年人', 'focus.children': '儿童', 'focus.youth': '青少年', 'focus.women': '妇女',
  'focus.disability': '残障人士', 'focus.culture': '文化', 'focus.environment': '环保', 'focus.migrants': '外来务工人员',
  'area.unnamed': '区域{id}',
  'date.open': '不限',
}

export const messages: Record<Locale, Record<string, string>> = { 'zh-CN': zhCN, en }
export default messages

export interface FormatContext {
  /** Area ids are all the pure core knows; the caller names them ("长寿社区"). */
  areaName?: (id: number) => string | undefined
}

export function formatReason(reason: Message, locale: Locale, ctx: FormatContext = {}): string {
  return format(reason.key, reason.params, locale, ctx)
}

export function format(key: string, params: Message['params'], locale: Locale, ctx: FormatContext = {}): string {
  const cat = messages[locale] ?? messages.en
  const count = params.offers ?? params.count
  const template = (count === 1 ? cat[`${key}.one`] : undefined) ?? cat[key] ?? messages.en[key] ?? key
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name]
    return value === undefined ? whole : render(name, value, params, locale, cat, ctx)
  })
}

function render(name: string, value: string | number, params: Message['params'], locale: Locale,
  cat: Record<string, string>, ctx: FormatContext): string {
  const word = (prefix: string, code: string) => cat[`${prefix}.${code}`] ?? code
  const codes = () => String(value).split(',').map((s) => s.trim()).filter(Boolean)
  switch (name) {
    case 'day': return list(codes().map((c) => word('weekday', c)), locale)
    case 'days': return list(codes().map((c) => word('weekdays', c)), locale)
    case 'periods': return list(codes().map((c) => word('period', c)), locale)
    case 'terms': return codes().join(locale === 'en' ? ', ' : '、')
    case 'unit': return word('unit', String(value))
    case 'focus': return word('focus', String(value))
    case 'noun': {
      const one = params.offers === 1 ? cat[`noun.${value}.one`] : undefined
      return one ?? cat[`noun.${value}`] ?? (params.offers === 1 ? cat['noun.other.one'] : undefined) ?? cat['noun.other']
    }
    case 'area': {
      const id = Number(value)
      return ctx.areaName?.(id) ?? (cat['area.unnamed'] ?? 'area {id}').replace('{id}', String(id))
    }
    case 'from':
    case 'until': return value === '' ? cat['date.open'] : String(value)
    default: return typeof value === 'number' ? number(value) : value
  }
}

/** "A and B", "A, B and C"; "A和B", "A、B和C". */
export function list(items: string[], locale: Locale): string {
  if (items.length <= 1) return items.join('')
  const head = items.slice(0, -1).join(locale === 'en' ? ', ' : '、')
  return locale === 'en' ? `${head} and ${items[items.length - 1]}` : `${head}和${items[items.length - 1]}`
}

/** 50000 → "50,000" in both languages; written by hand so output never depends on the runtime's ICU data. */
function number(n: number): string {
  if (!Number.isInteger(n)) return String(n)
  const s = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return n < 0 ? `-${s}` : s
}
