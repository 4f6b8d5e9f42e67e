import closeWithGrace from 'close-with-grace'
import { loadConfig } from './config.js'
import { buildApp } from './app.js'
import { demoAccounts, isEmpty, seedDemo } from './demo/seed.js'
import { countServingInSlices } from './matching/serving-facts.js'
import { warmSome } from './listings/directory.js'
import { inSlices } from './shared/slices.js'
import { matchPagesWarmer } from './matching/warm.js'
import { takeTurns } from './shared/turns.js'

// The only file that reads the environment.
const config = loadConfig(process.env)
const app = await buildApp(config)

if (config.demoData && isEmpty(app.db)) {
  await seedDemo(app.db, { password: process.env.DEMO_PASSWORD })
  console.log('Loaded the demo district into an empty database.')
}
const demo = demoAccounts(app.db)
if (demo.length) {
  console.log('Demo accounts (for trying AssetBridge out):')
  for (const a of demo) console.log(`  ${a.role.padEnd(7)} ${a.email.padEnd(32)} ${a.password}`)
}

// SIGTERM/SIGINT (a supervisor's stop): stop accepting, answer the requests in hand — each write is one synchronous
// transaction, so an answered write is committed — stop the scheduler, close the database, exit 0. An uncaught
// error takes the same path and exits 1, for the supervisor to restart (deploy/assetbridge.service).
closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
  if (err) app.log.error({ err }, 'closing after error')
  else if (signal) console.log(`AssetBridge is stopping (${signal}).`)
  await app.close()
})

// Under load, new connections are served in their turn rather than after every open one's requests (turns.ts).
takeTurns(app.server)
const address = await app.listen({ host: config.host, port: config.port })
console.log(
  `AssetBridge is running at ${address} (database: ${config.dbPath}), ${(performance.now() / 1000).toFixed(1)} s after the process started`,
)

const s = (ms: number) => (ms / 1000).toFixed(1)
const open = () => (app.sqlite.open ? undefined : 'the database closed')

// The list pages' index, read in slices between requests once the server answers (a second at 100k listings, which
// the first list page after a restart used to wait for, with every request behind it).
const listed = await inSlices((deadline) => warmSome(app.sqlite, deadline), { stop: open })
console.log(
  listed.stopped
    ? `Stopped reading the list pages' index (${listed.stopped}); the first list page reads it.`
    : `Read the list pages' index in ${s(listed.wallMs)} s while serving: ${s(listed.busyMs)} s of CPU in ${listed.slices} slices, the longest ${listed.longestMs.toFixed(0)} ms.`,
)

// Who can serve whom (the map, the agenda, the desk), counted once the server answers, in slices between requests
// (seconds at 100k listings, which before listening made each restart an outage); kept and patched per write after.
const figures = await countServingInSlices(app.db)
console.log(
  figures.stopped
    ? `Stopped counting who can serve whom (${figures.stopped}); pages that need it count it themselves.`
    : `Counted who can serve whom in ${s(figures.wallMs)} s while serving: ${s(figures.busyMs)} s of CPU in ${figures.slices} slices, the longest ${figures.longestMs.toFixed(0)} ms.`,
)

// What the match pages build on first use (compiled candidate indexes, kept postings of common words), built the
// same way by working out a sample of listings' matches: at 1M listings the first pages after a restart took seconds.
const warmed = await inSlices(matchPagesWarmer(app.db), { stop: open })
console.log(
  warmed.stopped
    ? `Stopped warming the match pages (${warmed.stopped}); the first pages build what they need.`
    : `Warmed the match pages in ${s(warmed.wallMs)} s while serving: ${s(warmed.busyMs)} s of CPU in ${warmed.slices} slices, the longest ${warmed.longestMs.toFixed(0)} ms.`,
)
