import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const UNIT = path.resolve(import.meta.dirname, '../../../deploy/assetbridge.service')
const PACKAGE = path.resolve(import.meta.dirname, '../../../package.json')

/** The unit's sections as key → values (a key may be given more than once, like Environment=). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {}
  let current: Record<string, string[]> | undefined
  for (const [n, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (!line || line.startsWith('#') || line.startsWith(';')) continue
    const section = line.match(/^\[([A-Za-z]+)\]$/)
    if (section) {
      current = sections[section[1]] = {}
      continue
    }
    const pair = line.match(/^([A-Za-z]+)=(.*)$/)
    if (!pair || !current) throw new Error(`line ${n + 1} is not a key=value in a section: ${raw}`)
    ;(current[pair[1]] ??= []).push(pair[2])
  }
  return sections
}

describe('deploy/assetbridge.service', () => {
  const unit = parseUnit(fs.readFileSync(UNIT, 'utf8'))
  const service = unit.Service
  const one = (key: string) => service[key]?.at(-1)
  const env = Object.fromEntries((service.Environment ?? []).map((e) => e.split(/=(.*)/s).slice(0, 2)))

  it('parses, and runs the server as npm start does, restarted whatever stops it', () => {
    expect(Object.keys(unit)).toEqual(['Unit', 'Service', 'Install'])
    // The same node flags as npm start (the young generation's size among them: see package.json's start script).
    const start = (JSON.parse(fs.readFileSync(PACKAGE, 'utf8')) as { scripts: { start: string } }).scripts.start
    expect(start).toMatch(/^node .*dist\/server\.js$/)
    expect(one('ExecStart')).toBe(`/usr/bin/${start}`)
    expect(one('Restart')).toBe('always')
    expect(unit.Install.WantedBy).toEqual(['multi-user.target'])
    // Stopped with SIGTERM, given longer than server.ts gives in-flight requests (10 s) before SIGKILL.
    expect(one('KillSignal')).toBe('SIGTERM')
    expect(Number(one('TimeoutStopSec'))).toBeGreaterThan(10)
    expect(env.NODE_ENV).toBe('production')
  })

  it('is confined: no new privileges, a read-only system, writable only where the database lives', () => {
    expect(one('NoNewPrivileges')).toBe('yes')
    expect(one('ProtectSystem')).toBe('strict')
    expect(one('ProtectHome')).toBe('yes')
    expect(one('PrivateTmp')).toBe('yes')
    expect(one('CapabilityBoundingSet')).toBe('')
    expect(one('User')).not.toBe('root')
    const writable = (one('ReadWritePaths') ?? '').split(/\s+/)
    expect(writable).toContain(path.dirname(env.DATABASE_URL))
    // SQLite writes its -wal and -shm files beside the database: the folder, not just the file, must be writable.
    expect(writable).not.toContain(env.DATABASE_URL)
  })

  it('passes systemd-analyze verify where systemd is installed', () => {
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' })
    if (probe.error) {
      console.log('systemd-analyze not found: the unit was checked by the parser above only')
      return
    }
    const res = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' })
    console.log(
      `systemd-analyze verify (${probe.stdout.split('\n')[0]}): exit ${res.status}${res.stderr ? `\n${res.stderr}` : ''}`,
    )
    expect(res.status, res.stderr).toBe(0)
    expect(res.stderr.split('\n').filter((l) => l.includes('assetbridge.service'))).toEqual([])
  })
})
