import type { Server } from 'node:http'

/**
 * `handle`, called for each arrival in the order they came, one per turn of the event loop (each in a setImmediate of
 * its own). Node (libuv 1.46) accepts one new connection per turn; a busy server left to itself answers, each turn,
 * every request its open connections have sent, so with 50 connections queued the k-th new connection waited for k
 * rounds of all the others: under the traffic bench the first request on a connection waited seconds while its
 * neighbours' waited a tenth of that. Taking the requests one a turn puts an accept between any two of them and serves
 * new and old connections first come, first served.
 */
export function oneAtATurn<A extends unknown[]>(
  handle: (...args: A) => void,
  leaveTurn: () => boolean = () => false,
): (...args: A) => void {
  const waiting: A[] = []
  let scheduled = false
  const next = () => {
    if (leaveTurn()) return void setImmediate(next)
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

/** Turns left to accepting in a row at most, before the next request is taken whatever arrives. */
const ACCEPTING_TURNS = 16

/**
 * Has `server` hand its requests to its listeners one a turn (oneAtATurn). Call before it listens.
 * - While connections keep arriving (one was accepted in the last turn) the next turn is left to accepting, up to
 *   ACCEPTING_TURNS: a burst of new connections (a bench's 50 at once, a browser's six) is taken in before the requests
 *   already read, instead of one per request answered, which made the last of 50 wait two queues' length.
 * - A client that half-closes its connection after its request is still answered (httpAllowHalfOpen): Node would
 *   otherwise abort a request still waiting its turn when the client's end arrives, which without turns came after
 *   the answer.
 */
export function takeTurns(server: Server): void {
  let accepted = false
  let accepting = 0
  server.on('connection', () => (accepted = true))
  const leaveTurn = () => {
    const leave = accepted && accepting < ACCEPTING_TURNS
    accepted = false
    accepting = leave ? accepting + 1 : 0
    return leave
  }
  // Undocumented but set by http.Server's constructor since Node 0.x, and read by its socketOnEnd.
  ;(server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true
  const listeners = server.listeners('request') as ((...args: unknown[]) => void)[]
  server.removeAllListeners('request')
  for (const listener of listeners)
    server.on(
      'request',
      oneAtATurn((...args) => listener.apply(server, args), leaveTurn),
    )
}
