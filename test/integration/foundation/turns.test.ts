import { fork } from 'node:child_process'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'

// src/server.ts has the server take its requests one a turn (src/shared/turns.ts). A bare server that burns CPU per
// request, in a process of its own (test/helpers/burning-server.ts), so that connections queue as under the traffic
// bench: what is checked is the order requests are answered in, not how long they take.
const HELPER = path.resolve(import.meta.dirname, '../../helpers/burning-server.ts')

async function burningServer(burnMs: number): Promise<{ port: number }> {
  const child = fork(HELPER, [String(burnMs), 'turns'], { execArgv: ['--import', 'tsx'] })
  onTestFinished(() => void child.kill())
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve(m as number))
    child.once('exit', (code) => reject(new Error(`burning server exited with ${code}`)))
  })
  return { port }
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
    // In turn, with the turns after each accept left to accepting, the last of them is answered after the twenty
    // and the ten open connections' one each (about 30 answers here); accepted one per answer, after some 46; left to
    // Node, the k-th new connection was accepted after k rounds of every open one: over 200 answers.
    expect(Math.max(...firsts) - before).toBeLessThan(40)
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

  it('answers a client that half-closes after its request while it waits behind others', async () => {
    const { port } = await burningServer(5)
    const open = Array.from({ length: 5 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }))
    onTestFinished(() => open.forEach((a) => a.destroy()))
    const get = (agent: http.Agent, pathname: string) =>
      new Promise<string>((resolve) =>
        http
          .get({ host: '127.0.0.1', port, path: pathname, agent }, (res) => {
            res.resume()
            res.on('end', () => resolve(String(res.statusCode)))
          })
          .on('error', (err) => resolve(err.message)),
      )
    await Promise.all(open.map((a, i) => get(a, `/warm-${i}`)))
    // While the server burns on a slow page, five open connections ask (read in one turn, queued) and a new one asks
    // and half-closes: its request is read behind them, and its end arrives before its turn comes.
    const slow = get(new http.Agent(), '/slow?burn=300')
    await new Promise((r) => setTimeout(r, 50))
    const queued = open.map((a, i) => get(a, `/queued-${i}`))
    const half = new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write('GET /half HTTP/1.1\r\nHost: x\r\n\r\n')
        socket.end()
      })
      let got = ''
      socket.on('error', () => {})
      socket.on('data', (d) => (got += d))
      socket.on('close', () => resolve(got.split('\r\n')[0] ?? ''))
    })
    expect(await Promise.all([slow, ...queued])).toEqual(Array(6).fill('200'))
    expect(await half).toBe('HTTP/1.1 200 OK')
  })
})
