import type { FastifyInstance } from 'fastify'
import * as topics from '../../../src/topics/topics.js'
import type { World } from '../../helpers/app.js'

/**
 * Two topics of the materials category added the way an admin adds them, so these tests hold whatever the
 * shipped vocabulary holds. Their codes are whatever the service gave them.
 */
export function addTestTopics(app: FastifyInstance, w: World) {
  const kiln = topics.addTopic(app.db, w.admin.id, { category: 'materials', zh: '陶艺窑炉', en: 'Pottery kiln' })
  topics.addSynonym(app.db, w.admin.id, { topic: kiln, lang: 'zh', term: '电窑' })
  const knitting = topics.addTopic(app.db, w.admin.id, { category: 'materials', zh: '毛线编织', en: 'Knitting yarn' })
  return { kiln, knitting }
}
