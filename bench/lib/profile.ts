import fs from 'node:fs'
import path from 'node:path'
import { Session } from 'node:inspector/promises'

/**
 * A CPU profile of this process from now until stop(name), written to `dir` as name.cpuprofile (open it in Chrome's
 * DevTools): of the timed part alone, where `node --cpu-prof` would also profile start-up and warming. No `dir`: none.
 */
export async function profileFrom(dir: string | undefined) {
  if (!dir) return undefined
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  return {
    async stop(name: string) {
      const { profile } = await session.post('Profiler.stop')
      fs.mkdirSync(dir, { recursive: true })
      fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile))
      session.disconnect()
    },
  }
}
