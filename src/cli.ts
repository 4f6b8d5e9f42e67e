import { parseArgs } from 'node:util'
import crypto from 'node:crypto'
import path from 'node:path'
import { evidenceDirFor, loadConfig } from './config.js'
import { backup, writeTx, type Db } from './db/client.js'
import { openDb } from './database.js'
import { backupEvidence } from './capacity/evidence-backup.js'
import * as accounts from './accounts/accounts.js'
import * as tokens from './accounts/tokens.js'
import { hashPassword } from './accounts/passwords.js'
import { NotEmpty, seedDemo } from './demo/seed.js'
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

/** A command refused with a reason (exit 2); thrown, so a transaction it is raised in rolls back. */
class Refusal extends Error {}
function fail(message: string): never {
  throw new Refusal(message)
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
  const brokerAreas = (tx: Db, list: string) => {
    const { ids, unknown } = resolveAreaRefs(tx, list.split(','))
    if (unknown.length)
      fail(
        `unknown area ref${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (refs as in the ledger: npm run cli -- export FILE.json lists them)`,
      )
    return ids
  }
  try {
    switch (command) {
      case 'seed': {
        const made = await seedDemo(db, { password: values.password }).catch((err: unknown) => {
          if (err instanceof NotEmpty)
            fail('The database is not empty; the demo district loads only into an empty one.')
          throw err
        })
        for (const a of made) console.log(`${a.role.padEnd(7)} ${a.email} ${a.password}`)
        return
      }
      case 'user': {
        if (sub === 'areas') {
          const { email, areas } = values
          if (!email || areas === undefined) fail(USAGE)
          // What is checked is read in the transaction that writes: it cannot change in between.
          const { user, areaIds } = writeTx(db, (tx) => {
            const user = accounts.findByEmail(tx, email)
            if (!user) fail(`no account ${email}`)
            if (user.role !== 'broker')
              fail(`${user.email} is ${user.role === 'admin' ? 'an admin' : 'a member'}: only a broker covers areas`)
            const areaIds = brokerAreas(tx, areas)
            accounts.setBrokerAreas(tx, null, user.id, areaIds)
            return { user, areaIds }
          })
          console.log(
            `user ${user.id} ${user.email} covers ${
              areaIds.length
                ? areas
                    .split(',')
                    .map((r) => r.trim())
                    .filter(Boolean)
                    .join(', ')
                : 'no area'
            }`,
          )
          return
        }
        const { email, role, areas } = values
        if (sub !== 'add' || !email || !role) fail(USAGE)
        if (!accounts.ROLES.includes(role as accounts.Role)) fail(`--role must be one of ${accounts.ROLES.join(', ')}`)
        if (areas !== undefined && role !== 'broker')
          fail('--areas is for a broker (--role broker): only a broker covers areas')
        const password = values.password ?? crypto.randomBytes(12).toString('base64url')
        const passwordHash = await hashPassword(password)
        // The checks, the account and its areas in one transaction: an unknown ref, or a failure setting the areas,
        // leaves no account behind.
        const { user, areaIds } = writeTx(db, (tx) => {
          if (accounts.findByEmail(tx, email)) fail(`${email} already has an account`)
          const areaIds = areas === undefined ? [] : brokerAreas(tx, areas)
          const user = accounts.create(tx, {
            email,
            role: role as accounts.Role,
            passwordHash,
            name: values.name,
            areaIds,
          })
          return { user, areaIds }
        })
        console.log(
          `user ${user.id} ${user.email} (${user.role})${values.password ? '' : ` password: ${password}`}${areaIds.length ? `, covering ${areaIds.length} area(s)` : ''}`,
        )
        return
      }
      case 'token': {
        const email = values.user
        if (sub !== 'add' || !email) fail(USAGE)
        const token = writeTx(db, (tx) => {
          const user = accounts.findByEmail(tx, email)
          if (!user || user.disabledAt) fail(`no active account ${email}`)
          return tokens.issue(tx, user.id, values.label ?? 'cli')
        })
        console.log(token)
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

const argv = process.argv.slice(2)
try {
  await main(argv)
} catch (err) {
  if (err instanceof Refusal) {
    console.error(err.message)
    process.exitCode = 2
  } else if (isBusy(err)) {
    // Another process held the write lock past busy_timeout: what was asked wrote nothing (each command's write is
    // one transaction) and may simply be run again. Except a re-tag, which commits in chunks so as never to hold
    // the lock for long: the chunks done are whole, and running it again finishes the rest.
    console.error(
      argv[0] === 'topics'
        ? 'The database is busy (another process is writing to it); some listings may already be re-tagged. Run the command again to finish.'
        : 'The database is busy (another process is writing to it); nothing was changed. Run the command again.',
    )
    process.exitCode = 75
  } else {
    // Nothing the command foresaw (a file that is not this application's database, a full disk): the transaction it
    // ran in wrote nothing. The stack is for whoever looks into it.
    console.error(err)
    process.exitCode = 1
  }
}
