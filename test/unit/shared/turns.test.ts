import { describe, expect, it } from 'vitest'
import { oneAtATurn } from '../../../src/shared/turns.js'

const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('oneAtATurn', () => {
  it('handles the arrivals in their order, one per turn of the event loop', async () => {
    const seen: string[] = []
    const handle = oneAtATurn((name: string) => seen.push(name))
    handle('a')
    handle('b')
    handle('c')
    expect(seen).toEqual([])
    // Queued after the first arrival: it runs in the same turn as 'a', and the accepting poll phase would come
    // between each of them and the next.
    setImmediate(() => seen.push('turn'))
    await turn()
    await turn()
    await turn()
    expect(seen).toEqual(['a', 'turn', 'b', 'c'])
  })

  it('goes on with the next arrival after one that threw, and starts again once idle', async () => {
    const seen: number[] = []
    const handle = oneAtATurn((n: number) => {
      if (n === 1) throw new Error('one')
      seen.push(n)
    })
    const thrown: unknown[] = []
    const onError = (err: unknown) => thrown.push(err)
    process.prependListener('uncaughtException', onError)
    try {
      handle(1)
      handle(2)
      for (let i = 0; i < 3; i++) await turn()
      handle(3)
      for (let i = 0; i < 2; i++) await turn()
    } finally {
      process.removeListener('uncaughtException', onError)
    }
    expect(seen).toEqual([2, 3])
    expect(thrown).toHaveLength(1)
  })

  it('leaves a turn to other work while leaveTurn asks, then takes the next arrival', async () => {
    const seen: string[] = []
    let leave = 2
    const handle = oneAtATurn(
      (name: string) => seen.push(name),
      () => leave-- > 0,
    )
    handle('a')
    await turn()
    await turn()
    expect(seen).toEqual([])
    await turn()
    expect(seen).toEqual(['a'])
  })
})
