import { execFile } from 'node:child_process'
import { ROOT } from '../../src/config.js'

export type CliResult = { code: number; stdout: string; stderr: string }

/**
 * The real command line, as the README runs it (`npm run cli -- …`), on the database file given: its own process,
 * so exit codes and stderr are the ones an operator sees. Each call starts node with tsx: allow for a busy machine.
 */
export function runCli(dbFile: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'cli', '--', ...args],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: `sqlite://${dbFile}`, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    )
  })
}
