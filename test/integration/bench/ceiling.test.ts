import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import listingsCeiling from '../../../bench/lib/listings-ceiling.js'
import { generatedDistrict, type GeneratedDistrict } from '../../helpers/district.js'

// The traffic bench's ceiling serves from memory only the pages it prepared, and answers anything else 404 (counted as
// errors). A query is prepared through inject, which sends "children's" as children%27s; autocannon sends it as typed.
const QUERY = "children's 场地"
let district: GeneratedDistrict, ceiling: FastifyInstance, port: number

beforeAll(async () => {
  district = await generatedDistrict('ceiling', { listings: 300, orgs: 20, matches: 20, seed: 3, now: new Date() })
  ceiling = await listingsCeiling({
    dbPath: district.file,
    prepare: [`/search?q=${encodeURIComponent(QUERY)}`, '/needs?sort=newest'],
  })
  await ceiling.listen({ host: '127.0.0.1', port: 0 })
  port = (ceiling.server.address() as AddressInfo).port
}, 60_000)
afterAll(async () => {
  await ceiling?.close()
  district?.remove()
})

/** A GET with the path sent exactly as given (as autocannon sends it), not normalized by a URL parser. */
const rawGet = (path: string) =>
  new Promise<number>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => (res.resume(), resolve(res.statusCode!))).on('error', reject)
  })

describe('the listing pages’ ceiling', () => {
  it('serves a prepared search however its query is encoded, and nothing it did not prepare', async () => {
    expect(await rawGet(`/search?q=${encodeURIComponent(QUERY)}`)).toBe(200)
    expect(await rawGet(`/search?q=${encodeURIComponent(QUERY).replace("'", '%27')}`)).toBe(200)
    expect(await rawGet('/needs?sort=newest')).toBe(200)
    expect(await rawGet('/search?q=other')).toBe(404)
  })
})
