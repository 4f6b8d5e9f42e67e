import {
  CSV_COLUMNS,
  FORMAT,
  RULES,
  SECTIONS,
  type FieldRule,
  type Ledger,
  type LedgerProblem,
  type Section,
} from './format.js'
import { decodeText, fromSpreadsheet, parseCsv } from './csv.js'
import { validateLedger } from './validate.js'

/** A ledger that has been through the pure checks, with every problem they found. */
export class CheckedLedger {
  constructor(
    readonly ledger: Ledger,
    readonly problems: LedgerProblem[],
  ) {}
}

/** The pure checks on a ledger object (from code, or parsed JSON). */
export function checkLedger(input: unknown): CheckedLedger {
  const { ledger, problems } = validateLedger(input)
  return new CheckedLedger(ledger, problems)
}

export interface LedgerFile {
  name: string
  data: Buffer | string
}

const fileProblem = (name: string, key: string, params: Record<string, string | number> = {}): LedgerProblem => ({
  section: null,
  ref: name,
  field: null,
  message: { key, params: { name, ...params } },
})

/** No file was handed over: asked for before anything else is read. */
export const noFiles = (): LedgerProblem => fileProblem('', 'ledger.no_files')

/** A CSV file belongs to the section its name starts with: needs.csv, needs-2026.csv, "needs (1).csv". */
export function sectionOfFile(name: string): Section | undefined {
  const base = name
    .split(/[\\/]/)
    .pop()!
    .toLowerCase()
    .replace(/\.csv$/, '')
  return SECTIONS.find((s) => base === s || new RegExp(`^${s}[^a-z]`).test(base))
}

/**
 * Files as a user hands them over: one .json file, or one .csv file per section. Problems with the files
 * themselves (wrong type, broken JSON, a quote never closed) are reported with the records' own.
 */
export function readFiles(files: readonly LedgerFile[]): CheckedLedger {
  const problems: LedgerProblem[] = []
  if (files.length === 0) return new CheckedLedger({ format: FORMAT }, [noFiles()])
  const kinds = files.map((f) => (/\.json$/i.test(f.name) ? 'json' : /\.csv$/i.test(f.name) ? 'csv' : 'other'))
  files.forEach((f, i) => {
    if (kinds[i] === 'other') problems.push(fileProblem(f.name, 'ledger.file_type'))
    else if (typeof f.data !== 'string' && f.data.includes(0)) problems.push(fileProblem(f.name, 'ledger.binary'))
  })
  if (problems.length) return new CheckedLedger({ format: FORMAT }, problems)
  if (kinds.includes('json') && files.length > 1)
    return new CheckedLedger({ format: FORMAT }, [fileProblem(files.map((f) => f.name).join(', '), 'ledger.mixed')])

  if (kinds[0] === 'json') {
    let input: unknown
    try {
      input = JSON.parse(decodeText(files[0].data))
    } catch (err) {
      return new CheckedLedger({ format: FORMAT }, [
        fileProblem(files[0].name, 'ledger.json', { detail: (err as Error).message.slice(0, 200) }),
      ])
    }
    return checkLedger(input)
  }

  const input: Record<string, unknown> = { format: FORMAT }
  const positions: Partial<Record<Section, number[]>> = {}
  const missing: { section: Section; field: string }[] = []
  for (const file of files) {
    const section = sectionOfFile(file.name)
    if (!section) {
      problems.push(fileProblem(file.name, 'ledger.csv_name'))
      continue
    }
    if (section in input) {
      problems.push(fileProblem(file.name, 'ledger.duplicate_file', { section }))
      continue
    }
    const read = csvSection(section, decodeText(file.data), problems)
    input[section] = read.records
    positions[section] = read.lines
    for (const field of read.missing) missing.push({ section, field })
  }
  const checked = validateLedger(input, positions)
  // A required column missing from the header is said once, not once for every row.
  const quiet = checked.problems.filter(
    (p) =>
      !(p.message.key === 'ledger.required' && missing.some((m) => m.section === p.section && m.field === p.field)),
  )
  return new CheckedLedger(checked.ledger, [...problems, ...quiet])
}

/** CSV rows → records of the JSON shape, with cells typed by the field rules so one validator serves both. */
function csvSection(section: Section, text: string, problems: LedgerProblem[]) {
  const parsed = parseCsv(text)
  const add = (ref: string | null, field: string | null, key: string, params: Record<string, string | number> = {}) =>
    problems.push({ section, ref, field, message: { key, params } })
  if (parsed.unclosed) add(null, null, 'ledger.csv_quote', { line: parsed.unclosed })
  const [header, ...rows] = parsed.rows
  if (!header) {
    add(null, null, 'ledger.csv_empty')
    return { records: [], lines: [], missing: [] }
  }
  const columns = header.cells.map((c) => c.trim().toLowerCase())
  const known = CSV_COLUMNS[section]
  columns.forEach((c, i) => {
    if (c === '' && rows.every((r) => (r.cells[i] ?? '').trim() === '')) return
    if (!known.includes(c)) add(null, c || `#${i + 1}`, 'ledger.unknown_column', { name: c })
    else if (columns.indexOf(c) !== i) add(null, c, 'ledger.duplicate_column', { name: c })
  })
  const missing = known.filter((c) => !columns.includes(c) && isRequired(section, c))
  for (const c of missing) add(null, c, 'ledger.missing_column', { name: c })

  const records: Record<string, unknown>[] = []
  const lines: number[] = []
  for (const row of rows) {
    if (row.cells.every((c) => c.trim() === '')) continue
    const extra = row.cells.slice(columns.length)
    if (extra.some((c) => c.trim() !== '')) {
      const ref = row.cells[columns.indexOf('ref')]?.trim()
      add(ref || `#${row.line}`, null, 'ledger.csv_cells', {
        line: row.line,
        found: row.cells.length,
        expected: columns.length,
      })
    }
    const record: Record<string, unknown> = {}
    columns.forEach((c, i) => {
      const cell = fromSpreadsheet(row.cells[i] ?? '')
      if (!known.includes(c) || cell.trim() === '' || columns.indexOf(c) !== i) return
      if (section === 'offers' && (c === 'min_trust' || c === 'focus')) {
        const conditions = (record.conditions ??= {}) as Record<string, unknown>
        conditions[c] = typed(ruleOf(section, c), cell)
      } else record[c] = typed(ruleOf(section, c), cell)
    })
    records.push(record)
    lines.push(row.line)
  }
  return { records, lines, missing }
}

function ruleOf(section: Section, column: string): FieldRule {
  if (section === 'offers' && (column === 'min_trust' || column === 'focus')) {
    const conditions = RULES.offers.conditions as Extract<FieldRule, { type: 'object' }>
    return conditions.fields[column]
  }
  return RULES[section][column]
}

const isRequired = (section: Section, column: string) => {
  const rule = ruleOf(section, column)
  return 'required' in rule && rule.required === true
}

const TRUE = ['true', '1', 'yes', 'y', '是', '已登记', '√']
const FALSE = ['false', '0', 'no', 'n', '否', '未登记', '']

/** A cell as the value JSON would have held; a cell that is not what the field wants is left as text for the validator to name. */
function typed(rule: FieldRule, cell: string): unknown {
  const v = cell.trim()
  switch (rule.type) {
    case 'int':
    case 'number':
      return /^[+-]?\d+(\.\d+)?$/.test(v) ? Number(v) : v
    case 'bool':
      return TRUE.includes(v.toLowerCase()) ? true : FALSE.includes(v.toLowerCase()) ? false : v
    case 'list':
    case 'codes':
      // Chinese input methods type the full-width ；as readily as ;
      return v
        .split(/[;；]/)
        .map((x) => x.trim())
        .filter(Boolean)
    default:
      return cell
  }
}
