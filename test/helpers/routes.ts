import type { FastifyInstance, RouteOptions } from 'fastify'
import type { Access } from '../../src/types.js'

/**
 * Every route the app registers, collected by an onRoute hook added the moment the instance is
 * created — before any plugin or route — so a route added by any slice shows up. Use it with
 *   vi.mock('fastify', async (orig) => (await import('../../helpers/routes.js')).collectingFastify(await orig()))
 */
export const registered: RouteOptions[] = []

export function collectingFastify<M extends { default: (...args: any[]) => FastifyInstance }>(mod: M): M {
  const create = ((...args: unknown[]) => {
    const app = mod.default(...args)
    app.addHook('onRoute', (route) => {
      registered.push(route)
    })
    return app
  }) as M['default']
  return { ...mod, default: create, fastify: create }
}

export const methodsOf = (r: RouteOptions) => (Array.isArray(r.method) ? r.method : [r.method])
export const accessOf = (r: RouteOptions) => r.config?.access as Access | undefined
// Static files are public by nature and served by @fastify/static, registered before the policy hook.
export const isStatic = (r: RouteOptions) => r.url.startsWith('/public/')
