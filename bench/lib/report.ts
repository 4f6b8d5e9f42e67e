/** Benches print JSON lines on stdout and nothing else; anything for humans goes to stderr. */
export function emit(line: Record<string, unknown>) {
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

export function note(message: string) {
  process.stderr.write(`${message}\n`)
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits
