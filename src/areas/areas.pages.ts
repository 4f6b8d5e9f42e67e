import type { Db } from '../db/client.js'
import type { Locale } from '../i18n/i18n.js'
import * as areas from './areas.js'
import * as orgs from '../orgs/orgs.js'

/** An area's page: where it sits, what it holds, and one page of the groups in it (its whole subtree). */
export function loadArea(db: Db, id: number, page: number | undefined) {
  const area = areas.get(db, id)
  if (!area) return undefined
  return {
    area,
    ancestors: areas.ancestors(db, area),
    children: areas.children(db, id),
    groups: orgs.list(db, { area: id, page }),
    page,
  }
}

/** What areas/show is given: every area named in the reader's language, the groups' page as orgs/list pages it. */
export function areaView(d: NonNullable<ReturnType<typeof loadArea>>, locale: Locale) {
  const named = <A extends areas.Area>(a: A) => ({ ...a, label: areas.displayName(a, locale) })
  return {
    area: named(d.area),
    ancestors: d.ancestors.map(named),
    children: d.children.map(named),
    ...d.groups,
    query: { page: d.page },
  }
}
