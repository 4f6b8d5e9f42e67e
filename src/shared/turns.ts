import type { Server } from 'node:http'

/**
 * `handle`, called for each arrival in the order they came, one per turn of the event loop (each in a setImmediate of
 * its own). Node (libuv 1.46) accepts one new connection per turn; a busy server left to itself answers, each turn,
 * every request its open connections have sent, so with 50 connections queued the k-th new connection waited for k
 * rounds of all the others: under the traffic bench the first request on a connection waited seconds while its
 * neighbours' waited a tenth of that. Taking the requests one a turn puts an accept between any two of them and serves
 * new and old connections first come, first served.
 */
export function oneAtATurn<A extends unknown[]>(handle: (...args: A) => void): (...args: A) => void {
  const waiting: A[] = []
  let scheduled = false
  const next = () => {
    const args = waiting.shift()!
    try {
      handle(...args)
    } finally {
      scheduled = waiting.length > 0
      if (scheduled) setImmediate(next)
    }
  }
  return (...args: A) => {
    waiting.push(args)
    if (!scheduled) {
      scheduled = true
      setImmediate(next)
    }
  }
}

/** Has `server` hand its requests to its listeners one a turn (oneAtATurn). Call before it listens. */
export function takeTurns(server: Server): void {
  const listeners = server.listeners('request') as ((...args: unknown[]) => void)[]
  server.removeAllListeners('request')
  for (const listener of listeners)
    server.on(
      'request',
      oneAtATurn((...args) => listener.apply(server, args)),
    )
}
