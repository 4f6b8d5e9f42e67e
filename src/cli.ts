import { parseArgs } from 'node:util'
import crypto from 'node:crypto'
import path from 'node:path'
import { evidenceDirFor, loadConfig } from './config.js'
import { backup } from './db/client.js'
import { openDb } from './database.js'
import { backupEvidence } from './capacity/evidence-backup.js'
import * as accounts from './accounts/accounts.js'
import * as tokens from './accounts/tokens.js'
import { isEmpty, seedDemo } from './demo/seed.js'
import * as topics from './topics/topics.js'
import { resolveAreaRefs } from './areas/refs.js'
import { exportCommand, hsdsExportCommand, importCommand } from './interchange/commands.js'
import { isBusy } from './shared/errors.js'

const USAGE = `Usage: npm run cli -- <command>
  seed                                         load the demo district (empty database only)
  user add --email E --role member|broker|admin [--password P] [--name N] [--areas REF[,REF]]
  user areas --email E --areas REF[,REF]       set the areas a broker covers (area refs as in the ledger; '' for none)
  token add --user EMAIL [--label L]           issue an API bearer token
  backup FILE                                  online backup, checked with integrity_check; evidence files are
                                               copied to the folder FILE's name with .evidence (x.sqlite → x.evidence/)
  import [--as EMAIL] FILE [FILE...]           import a ledger: one .json file (assetbridge/v1), or .csv files
                                               named by section (areas.csv, organizations.csv, needs.csv, offers.csv);
                                               with an admin's rights, or with --as those of that broker or admin
  export [--as EMAIL] FILE.json | DIR/         export the ledger as JSON, or as one .csv file per section
  export --format hsds [FILE.json] [--lang en] active offers as Open Referral HSDS 3.0 services (stdout without FILE)
  topics retag                                 tag every listing again with the current vocabulary (keeps confirmed topics)
The database is DATABASE_URL (default db/assetbridge.sqlite).`

function fail(message: string): never {
  console.error(message)
  process.exit(2)
}

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      user: { type: 'string' },
      label: { type: 'string' },
      format: { type: 'string' },
      lang: { type: 'string' },
      as: { type: 'string' },
      areas: { type: 'string' },
    },
  })
  const [command, sub] = positionals
  if (!command || command === 'help') return console.log(USAGE)
  const config = loadConfig(process.env)
  const { db, sqlite } = openDb(config.dbPath, config.root)
  /** `--areas a,b`: the area ids, or a clear refusal naming every ref that is no area (exit 2, nothing changed). */
  const brokerAreas = (list: string) => {
    const { ids, unknown } = resolveAreaRefs(db, list.split(','))
    if (unknown.length)
      fail(
        `unknown area ref${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (refs as in the ledger: npm run cli -- export FILE.json lists them)`,
      )
    return ids
  }
  try {
    switch (command) {
      case 'seed': {
        if (!isEmpty(db)) fail('The database is not empty; the demo district loads only into an empty one.')
        for (const a of await seedDemo(db, { password: values.password }))
          console.log(`${a.role.padEnd(7)} ${a.email} ${a.password}`)
        return
      }
      case 'user': {
        if (sub === 'areas') {
          if (!values.email || values.areas === undefined) fail(USAGE)
          const user = accounts.findByEmail(db, values.email)
          if (!user) fail(`no account ${values.email}`)
          if (user.role !== 'broker')
            fail(`${user.email} is ${user.role === 'admin' ? 'an admin' : 'a member'}: only a broker covers areas`)
          const areaIds = brokerAreas(values.areas)
          accounts.setBrokerAreas(db, null, user.id, areaIds)
          console.log(
            `user ${user.id} ${user.email} covers ${
              areaIds.length
                ? values.areas
                    .split(',')
                    .map((r) => r.trim())
                    .filter(Boolean)
                    .join(', ')
                : 'no area'
            }`,
          )
          return
        }
        if (sub !== 'add' || !values.email || !values.role) fail(USAGE)
        if (!accounts.ROLES.includes(values.role as accounts.Role))
          fail(`--role must be one of ${accounts.ROLES.join(', ')}`)
        if (values.areas !== undefined && values.role !== 'broker')
          fail('--areas is for a broker (--role broker): only a broker covers areas')
        if (accounts.findByEmail(db, values.email)) fail(`${values.email} already has an account`)
        // Checked before the account is made: an unknown ref adds nothing.
        const areaIds = values.areas === undefined ? [] : brokerAreas(values.areas)
        const password = values.password ?? crypto.randomBytes(12).toString('base64url')
        const user = await accounts.add(db, {
          email: values.email,
          role: values.role as accounts.Role,
          password,
          name: values.name,
        })
        if (areaIds.length) accounts.setBrokerAreas(db, null, user.id, areaIds)
        console.log(
          `user ${user.id} ${user.email} (${user.role})${values.password ? '' : ` password: ${password}`}${areaIds.length ? `, covering ${areaIds.length} area(s)` : ''}`,
        )
        return
      }
      case 'token': {
        if (sub !== 'add' || !values.user) fail(USAGE)
        const user = accounts.findByEmail(db, values.user)
        if (!user || user.disabledAt) fail(`no active account ${values.user}`)
        console.log(tokens.issue(db, user.id, values.label ?? 'cli'))
        return
      }
      case 'backup': {
        if (!sub) fail('backup needs a FILE')
        // The copy's evidence folder is emptied first: onto the live database it would delete the live files.
        if (path.resolve(sub) === path.resolve(config.dbPath) || evidenceDirFor(sub) === config.evidenceDir)
          fail(`backup FILE must be another file than the database (${config.dbPath}), with its own evidence folder`)
        const check = await backup(sqlite, sub)
        if (check !== 'ok') fail(`backup written to ${sub} but integrity_check said: ${check}`)
        // After the database: every evidence row in the copy has its file (one added meanwhile is an extra file).
        const files = backupEvidence(config.evidenceDir, sub)
        if (files.missing.length)
          fail(
            `backup written to ${sub}, but ${files.missing.length} evidence file(s) listed in it are missing from ${config.evidenceDir}: ${files.missing.join(', ')}`,
          )
        console.log(`backup written to ${sub} (integrity_check: ok), ${files.copied} evidence file(s) in ${files.dir}`)
        return
      }
      case 'import': {
        process.exitCode = importCommand(db, positionals.slice(1), console.log, console.error, { as: values.as })
        return
      }
      case 'export': {
        if (values.format === 'hsds') {
          if (values.lang !== undefined && values.lang !== 'en' && values.lang !== 'zh-CN')
            fail('--lang must be en or zh-CN')
          process.exitCode = hsdsExportCommand(
            db,
            sub,
            { baseUrl: config.baseUrl, locale: values.lang as 'en' | 'zh-CN' | undefined },
            console.log,
            console.error,
          )
          return
        }
        if (values.format !== undefined && values.format !== 'assetbridge')
          fail('--format must be hsds (or leave it out for the assetbridge/v1 ledger)')
        if (!sub) fail('export needs a FILE.json or a DIR/')
        process.exitCode = exportCommand(db, sub, console.log, console.error, { as: values.as })
        return
      }
      case 'topics': {
        if (sub !== 'retag') fail(USAGE)
        const started = performance.now()
        const changed = topics.retagAll(db)
        console.log(`re-tagged listings: ${changed} changed (${Math.round(performance.now() - started)} ms)`)
        return
      }
      default:
        fail(USAGE)
    }
  } finally {
    sqlite.close()
  }
}

try {
  await main(process.argv.slice(2))
} catch (err) {
  if (!isBusy(err)) throw err
  // Another process held the write lock past busy_timeout: what was asked wrote nothing (each write is one
  // transaction) and may simply be run again.
  console.error('The database is busy (another process is writing to it); nothing was changed. Run the command again.')
  process.exitCode = 75
}
