import { fork, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'

// src/server.ts has the server take its requests one a turn (src/shared/turns.ts). A bare server that burns CPU per
// request, in a process of its own (test/helpers/burning-server.ts), so that connections queue as under the traffic
// bench: what is checked is the order requests are answered in, not how long they take.
const HELPER = path.resolve(import.meta.dirname, '../../helpers/burning-server.ts')

async function burningServer(burnMs: number): Promise<{ port: number; child: ChildProcess }> {
  const child = fork(HELPER, [String(burnMs), 'turns'], { execArgv: ['--import', 'tsx'] })
  onTestFinished(() => void child.kill())
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve(m as number))
    child.once('exit', (code) => reject(new Error(`burning server exited with ${code}`)))
  })
  return { port, child }
}

/** One keep-alive connection asking again as soon as it is answered; each answer is the server's count so far. */
function client(port: number, onAnswer: (count: number) => boolean) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const ask = () =>
    http
      .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        let body = ''
        res.on('data', (d) => (body += d))
        res.on('end', () => (onAnswer(Number(body)) ? ask() : agent.destroy()))
      })
      .on('error', () => agent.destroy()) // the server stopped at the end of the test
  ask()
}

describe('requests one a turn', () => {
  it('answers connections opened while the server is busy in their turn, not after rounds of the open ones', async () => {
    const { port } = await burningServer(4)
    let stop = false
    let latest = 0
    let warmed = 0
    const busy = 10
    await new Promise<void>((resolve) => {
      for (let i = 0; i < busy; i++) {
        let answers = 0
        client(port, (count) => {
          latest = Math.max(latest, count)
          if (++answers === 3 && ++warmed === busy) resolve()
          return !stop
        })
      }
    })
    // Twenty new connections at once, while ten keep the server busy.
    const before = latest
    const firsts = await Promise.all(
      Array.from(
        { length: 20 },
        () =>
          new Promise<number>((resolve) =>
            client(port, (count) => {
              resolve(count)
              return false
            }),
          ),
      ),
    )
    stop = true
    // In turn, the last of them is answered after the requests queued before it: at most the twenty and the ten
    // open connections' one each, a few times over while they are accepted one a turn. Left to Node, the k-th new
    // connection was accepted after k rounds of every open one: over 200 answers here.
    expect(Math.max(...firsts) - before).toBeLessThan(120)
  })

  it('still answers a client that half-closes its connection after sending its request', async () => {
    const { port } = await burningServer(2)
    const ask = (pathname: string, halfClose: boolean) =>
      new Promise<string>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(`GET ${pathname} HTTP/1.1\r\nHost: x\r\n\r\n`)
          if (halfClose) socket.end()
          else setTimeout(() => socket.end(), 1000)
        })
        let got = ''
        socket.on('error', () => {})
        socket.on('data', (d) => (got += d))
        socket.on('close', () => resolve(got.split('\r\n')[0] ?? ''))
      })
    const slow = ask('/?burn=300', false)
    await new Promise((r) => setTimeout(r, 50))
    expect(await ask('/', true)).toBe('HTTP/1.1 200 OK')
    expect(await slow).toBe('HTTP/1.1 200 OK')
  })
})
