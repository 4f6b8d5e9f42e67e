/**
 * A report as an Excel workbook: a cover sheet saying what, where and when, then one sheet per table, with
 * numbers stored as numbers (shares formatted as percentages) so a street office can go on calculating.
 */
import writeExcelFile, { type Row, type Sheet } from 'write-excel-file/node'
import type { Cell, Table } from './tables.js'

const FORMATS: Record<Cell['format'], string | undefined> = {
  int: '#,##0',
  decimal: '0.0',
  percent: '0.0%',
  money: '#,##0.00',
  text: undefined,
}

/** Excel's sheet-name rules: at most 31 characters, none of []:*?/\ and unique. */
export function sheetName(title: string, taken: Set<string>): string {
  const base =
    title
      .replace(/[[\]:*?/\\]/g, ' ')
      .trim()
      .slice(0, 31) || 'Sheet'
  let name = base
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base.slice(0, 31 - String(i).length - 1)} ${i}`
  taken.add(name.toLowerCase())
  return name
}

function cell(c: Cell) {
  if (c.value === null) return null
  if (typeof c.value === 'string') return { value: c.value, type: String }
  return { value: c.value, type: Number, format: FORMATS[c.format] }
}

export async function workbook(
  cover: { title: string; lines: [string, string][] },
  tables: Pick<Table, 'title' | 'columns' | 'rows'>[],
): Promise<Buffer> {
  const taken = new Set<string>()
  const sheets: Sheet<never>[] = [
    {
      sheet: sheetName(cover.title, taken),
      data: [[{ value: cover.title, fontWeight: 'bold' }], ...cover.lines.map(([k, v]): Row => [k, v])],
      columns: [{ width: 24 }, { width: 48 }],
    },
    ...tables.map((t) => ({
      sheet: sheetName(t.title, taken),
      data: [
        t.columns.map((c) => ({ value: c, fontWeight: 'bold' as const })),
        ...t.rows.map((row): Row => row.map(cell)),
      ],
      columns: t.columns.map((_, i) => ({ width: i === 0 ? 28 : 14 })),
      stickyRowsCount: 1,
    })),
  ]
  return writeExcelFile(sheets).toBuffer()
}
