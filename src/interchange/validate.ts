import {
  FORMAT,
  REF_MAX,
  REF_PATTERN,
  RULES,
  SECTIONS,
  type FieldRule,
  type Ledger,
  type LedgerProblem,
  type Section,
} from './format.js'
import type { Problem } from '../shared/errors.js'
import { isCalendarDate } from '../shared/time.js'
import { cleanText } from '../shared/text.js'

/**
 * Pure checks of a ledger (parsed JSON, or CSV rows turned into records): shapes, types, lengths,
 * enums, dates, windows, weekly rules, duplicate refs. Every problem is collected; nothing stops at
 * the first. Records come back normalised (trimmed, defaults filled in) so that comparing them with
 * the database later is exact.
 */
export function validateLedger(
  input: unknown,
  positions: Partial<Record<Section, number[]>> = {},
): { ledger: Ledger; problems: LedgerProblem[] } {
  const problems: LedgerProblem[] = []
  const ledger: Ledger = { format: FORMAT }
  if (!isPlainObject(input)) {
    problems.push({ section: null, ref: null, field: null, message: { key: 'ledger.not_object' } })
    return { ledger, problems }
  }
  if (input.format !== FORMAT) {
    problems.push({
      section: null,
      ref: null,
      field: 'format',
      message: { key: 'ledger.format', params: { value: String(input.format ?? ''), expected: FORMAT } },
    })
  }
  for (const key of Object.keys(input)) {
    if (key !== 'format' && !(SECTIONS as readonly string[]).includes(key)) {
      problems.push({
        section: null,
        ref: null,
        field: key,
        message: { key: 'ledger.unknown_section', params: { name: key } },
      })
    }
  }
  for (const section of SECTIONS) {
    const raw = input[section]
    if (raw === undefined || raw === null) continue
    if (!Array.isArray(raw)) {
      problems.push({ section, ref: null, field: null, message: { key: 'ledger.not_list' } })
      continue
    }
    const seen = new Set<string>()
    const records: Record<string, unknown>[] = []
    raw.forEach((item, i) => {
      const name = `#${positions[section]?.[i] ?? i + 1}`
      const record = checkRecord(section, item, name, problems)
      if (!record) return
      const ref = record.ref as string | undefined
      if (ref !== undefined) {
        if (seen.has(ref))
          problems.push({ section, ref, field: 'ref', message: { key: 'ledger.duplicate_ref', params: { ref } } })
        seen.add(ref)
      }
      records.push(record)
    })
    ;(ledger as unknown as Record<Section, unknown[]>)[section] = records
  }
  return { ledger, problems }
}

function checkRecord(
  section: Section,
  item: unknown,
  position: string,
  problems: LedgerProblem[],
): Record<string, unknown> | undefined {
  if (!isPlainObject(item)) {
    problems.push({ section, ref: position, field: null, message: { key: 'ledger.not_object' } })
    return undefined
  }
  const ownRef = checkValue({ type: 'ref', required: true }, item.ref)
  const name = 'value' in ownRef && typeof ownRef.value === 'string' ? ownRef.value : position
  const add = (field: string, message: Problem) => problems.push({ section, ref: name, field, message })
  const record = checkFields(RULES[section], item, '', add)

  if (section === 'needs' || section === 'offers') {
    if (typeof record.from === 'string' && typeof record.until === 'string' && record.until < record.from) {
      add('until', { key: 'ledger.window', params: { from: record.from, until: record.until } })
    }
    if (record.close_reason !== undefined && record.status !== 'closed')
      add('close_reason', { key: 'ledger.close_reason_status' })
  }
  // Defaults for fields the contract lists, so "absent" and "the default" compare equal. `trust`, `expires`,
  // `status` and `close_reason` stay absent: on an update, absent means "leave as it is" (see README.md).
  if (section === 'areas') record.parent ??= null
  if (section === 'organizations') {
    record.registered ??= false
    record.focus ??= []
  }
  if (section === 'needs') record.urgency ??= 'normal'
  if (section === 'offers') {
    const c = (record.conditions ?? {}) as Record<string, unknown>
    record.conditions = { min_trust: c.min_trust ?? 'self_declared', focus: c.focus ?? [] }
  }
  return record
}

function checkFields(
  rules: Record<string, FieldRule>,
  item: Record<string, unknown>,
  prefix: string,
  add: (field: string, p: Problem) => void,
) {
  const record: Record<string, unknown> = {}
  for (const key of Object.keys(item)) {
    if (!(key in rules)) add(`${prefix}${key}`, { key: 'ledger.unknown_field', params: { name: key } })
  }
  for (const [field, rule] of Object.entries(rules)) {
    if (rule.type === 'object') {
      const v = item[field]
      if (v === undefined || v === null) continue
      if (!isPlainObject(v)) add(field, { key: 'ledger.not_object' })
      else record[field] = checkFields(rule.fields, v, `${field}.`, add)
      continue
    }
    const checked = checkValue(rule, item[field])
    if ('problem' in checked) add(`${prefix}${field}`, checked.problem)
    else if (checked.value !== undefined) record[field] = checked.value
  }
  return record
}

type Checked = { value: unknown } | { problem: Problem }

export function checkValue(rule: FieldRule, raw: unknown): Checked {
  const blank = raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')
  if (blank) {
    if ('required' in rule && rule.required) return { problem: { key: 'ledger.required' } }
    return { value: rule.type === 'ref' && rule.nullable ? null : undefined }
  }
  const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v)).slice(0, 60)
  switch (rule.type) {
    case 'ref': {
      const v = typeof raw === 'number' && Number.isInteger(raw) ? String(raw) : raw
      if (typeof v !== 'string') return { problem: { key: 'ledger.not_text' } }
      const ref = v.trim()
      if (ref.length > REF_MAX || !REF_PATTERN.test(ref))
        return { problem: { key: 'ledger.ref', params: { value: shown(ref), limit: REF_MAX } } }
      return { value: ref }
    }
    case 'text': {
      if (typeof raw !== 'string') return { problem: { key: 'ledger.not_text' } }
      let text = cleanText(raw, true).trim()
      if (!rule.multiline) text = text.replace(/\s*\n\s*/g, ' ')
      const length = [...text].length
      if (rule.min !== undefined && length < rule.min)
        return { problem: { key: 'ledger.too_short', params: { limit: rule.min } } }
      if (length > rule.max) return { problem: { key: 'ledger.too_long', params: { limit: rule.max, length } } }
      return { value: text }
    }
    case 'int':
    case 'number': {
      const ok = typeof raw === 'number' && Number.isFinite(raw) && (rule.type === 'number' || Number.isInteger(raw))
      if (!ok)
        return {
          problem: {
            key: rule.type === 'int' ? 'ledger.not_integer' : 'ledger.not_number',
            params: { value: shown(raw) },
          },
        }
      if (raw < rule.min || raw > rule.max)
        return { problem: { key: 'ledger.range', params: { value: raw, min: rule.min, max: rule.max } } }
      return { value: raw }
    }
    case 'bool':
      return typeof raw === 'boolean'
        ? { value: raw }
        : { problem: { key: 'ledger.not_boolean', params: { value: shown(raw) } } }
    case 'date':
      return typeof raw === 'string' && isCalendarDate(raw.trim())
        ? { value: raw.trim() }
        : { problem: { key: 'ledger.date', params: { value: shown(raw) } } }
    case 'enum': {
      const v = typeof raw === 'string' ? raw.trim() : raw
      return typeof v === 'string' && rule.values.includes(v)
        ? { value: v }
        : { problem: { key: 'ledger.enum', params: { value: shown(raw), allowed: rule.values.join(', ') } } }
    }
    case 'list': {
      if (!Array.isArray(raw)) return { problem: { key: 'ledger.not_list' } }
      const out: string[] = []
      for (const item of raw) {
        const v = typeof item === 'string' ? item.trim() : item
        if (typeof v !== 'string' || !rule.values.includes(v))
          return { problem: { key: 'ledger.enum', params: { value: shown(item), allowed: rule.values.join(', ') } } }
        if (!out.includes(v)) out.push(v)
      }
      return { value: out }
    }
    case 'codes': {
      if (!Array.isArray(raw)) return { problem: { key: 'ledger.not_list' } }
      if (raw.length > rule.max) return { problem: { key: 'ledger.too_many', params: { limit: rule.max } } }
      const out: string[] = []
      for (const item of raw) {
        const v = typeof item === 'string' ? item.trim() : item
        if (typeof v !== 'string' || !/^[a-z0-9_]{1,60}$/.test(v))
          return { problem: { key: 'ledger.topic_code', params: { value: shown(item) } } }
        if (!out.includes(v)) out.push(v)
      }
      return { value: out }
    }
    case 'rrule': {
      if (typeof raw !== 'string') return { problem: { key: 'ledger.not_text' } }
      const rule = raw.trim()
      return isWeeklyRule(rule)
        ? { value: rule }
        : { problem: { key: 'ledger.schedule', params: { value: shown(rule) } } }
    }
    case 'object':
      return { problem: { key: 'ledger.not_object' } }
  }
}

const DAY = '(?:[+-]?[1-5]?(?:MO|TU|WE|TH|FR|SA|SU))'
const numbers = (max: number) => (v: string) => v.split(',').every((n) => /^\d{1,2}$/.test(n) && Number(n) <= max)
const RRULE_PARTS: Record<string, (v: string) => boolean> = {
  FREQ: (v) => v === 'WEEKLY',
  INTERVAL: (v) => /^[1-9]\d{0,2}$/.test(v),
  BYDAY: (v) => new RegExp(`^${DAY}(,${DAY})*$`).test(v),
  BYHOUR: numbers(23),
  BYMINUTE: numbers(59),
  WKST: (v) => /^(MO|TU|WE|TH|FR|SA|SU)$/.test(v),
  COUNT: (v) => /^[1-9]\d{0,4}$/.test(v),
  UNTIL: (v) => /^\d{8}(T\d{6}Z?)?$/.test(v),
}

/**
 * An iCalendar RRULE (RFC 5545) of the weekly kind the matcher reads: `FREQ=WEEKLY` and the parts that
 * narrow a week (BYDAY, BYHOUR, BYMINUTE), optionally INTERVAL, WKST, COUNT or UNTIL, each at most once.
 */
export function isWeeklyRule(text: string): boolean {
  if (text.length > 200) return false
  const parts = text.replace(/^RRULE:/i, '').split(';')
  const seen = new Set<string>()
  for (const part of parts) {
    const [key, value, ...rest] = part.split('=')
    const k = key?.trim().toUpperCase()
    const check = RRULE_PARTS[k]
    if (!check || rest.length || value === undefined || seen.has(k) || !check(value.trim().toUpperCase())) return false
    seen.add(k)
  }
  return seen.has('FREQ') && !(seen.has('COUNT') && seen.has('UNTIL'))
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v)
}
