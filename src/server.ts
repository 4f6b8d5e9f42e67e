import closeWithGrace from 'close-with-grace'
import { loadConfig } from './config.js'
import { buildApp } from './app.js'
import { demoAccounts, isEmpty, seedDemo } from './demo/seed.js'

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

closeWithGrace({ delay: 5000 }, async ({ err }) => {
  if (err) app.log.error({ err }, 'closing after error')
  await app.close()
})

await app.listen({ host: config.host, port: config.port })
console.log(`AssetBridge is running at http://${config.host}:${config.port} (database: ${config.dbPath})`)
