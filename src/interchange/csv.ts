/**
 * CSV as spreadsheets write it (RFC 4180): a header row, commas between cells, quotes around cells that
 * hold commas, quotes or line breaks, a quote inside a quoted cell doubled. About forty lines, so no
 * dependency: the format is small and every odd case (BOM, CRLF, a line break inside a cell) is tested.
 */

/** Text from a file's bytes: UTF-8 (BOM dropped), or GB18030 — what Excel on a Chinese Windows saves as "CSV". */
export function decodeText(data: Buffer | string): string {
  let text: string
  if (typeof data === 'string') text = data
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(data)
    } catch {
      text = new TextDecoder('gb18030').decode(data)
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

export interface CsvRow {
  line: number
  cells: string[]
}

/** Rows with the line each starts on; `unclosed` is the line of a quoted cell that never ends. */
export function parseCsv(text: string): { rows: CsvRow[]; unclosed?: number } {
  const rows: CsvRow[] = []
  let cells: string[] = []
  let cell = ''
  let quoted = false
  let line = 1
  let rowLine = 1
  let quoteLine = 0
  const endRow = () => {
    cells.push(cell)
    if (cells.length > 1 || cells[0] !== '') rows.push({ line: rowLine, cells })
    cells = []
    cell = ''
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else {
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++
        cell += c
      }
    } else if (c === '"' && cell === '') {
      quoted = true
      quoteLine = line
    } else if (c === ',') {
      cells.push(cell)
      cell = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      endRow()
      line++
      rowLine = line
    } else cell += c
  }
  if (quoted) return { rows, unclosed: quoteLine }
  if (cell !== '' || cells.length > 0) endRow()
  return { rows }
}

/** One CSV line; cells quoted only when they must be. */
export function csvLine(cells: readonly string[]): string {
  return cells.map((c) => (/[",\r\n]/.test(c) || /^\s|\s$/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')
}

const FORMULA = /^[=+\-@\t\r]/

/**
 * Text a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) gets an
 * apostrophe in front, so Excel and LibreOffice take it as text (OWASP's advice for CSV injection). The
 * reports' tables and the ledger's CSV export both write cells through this.
 */
export const formulaSafe = (text: string) => (FORMULA.test(text) ? `'${text}` : text)

/**
 * The ledger's CSV cell for a text: formulaSafe(), and one more apostrophe in front of a text that already
 * starts with one, so that fromSpreadsheet() takes exactly one away and every text comes back as it was.
 */
export const toSpreadsheet = (text: string) => (text.startsWith("'") ? `'${text}` : formulaSafe(text))

/** A ledger CSV cell as written by toSpreadsheet() (or by hand, the same way): one leading apostrophe removed. */
export const fromSpreadsheet = (cell: string) => (/^'[=+\-@\t\r']/.test(cell) ? cell.slice(1) : cell)
