/**
 * A bare HTTP server for the turn-taking test: each request burns `?burn=` ms (default argv[2]) of CPU, as a busy
 * page does, and answers with how many requests it has answered. `turns` (argv[3]) = takeTurns (src/shared/turns.ts)
 * as src/server.ts sets it up; otherwise Node's own order. Started with fork(): sends its port over IPC once it
 * listens.
 */
import http from 'node:http'
import { takeTurns } from '../../src/shared/turns.js'

const burn = Number(process.argv[2] ?? 5)
let answered = 0
const server = http.createServer((req, res) => {
  const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('burn') ?? burn)
  const until = performance.now() + ms
  while (performance.now() < until);
  res.end(String(++answered))
})
if (process.argv[3] === 'turns') takeTurns(server)
server.listen(0, '127.0.0.1', () => process.send!((server.address() as { port: number }).port))
