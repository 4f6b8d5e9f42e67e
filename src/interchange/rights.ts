import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import * as orgs from '../orgs/orgs.js'
import type { Problem } from '../shared/errors.js'
import * as coverage from '../areas/coverage.js'

/**
 * Who brings a ledger in: the signed-in broker or admin (the web upload, or the CLI's `--as EMAIL`), or the
 * machine's operator at the CLI, who holds the database file anyway and so has an admin's rights.
 */
export type Importer = CurrentUser | 'operator'

/**
 * What an importer may create or change, the same as on the site. Areas are an admin's. A broker acts on
 * behalf of the organizations looked after in the communities they cover (DESIGN.md: "a group with no one
 * online is looked after by the broker covering its area"), so a broker's file may create and change those
 * organizations and their needs and offers, vouch for them, and nothing else. An admin or the operator may
 * change anything and set any trust level. Records a file carries unchanged are never refused: a broker's
 * own export of the whole ledger imports back as it is.
 */
export class LedgerRights {
  readonly actorId: number | null
  private readonly all: boolean

  constructor(
    private readonly db: Db,
    private readonly importer: Importer,
  ) {
    this.all = importer === 'operator' || importer.role === 'admin'
    this.actorId = importer === 'operator' ? null : importer.id
  }

  get areas(): boolean {
    return this.all
  }

  /** An area whose organizations the importer looks after. */
  covers(areaId: number): boolean {
    return this.all || (this.importer !== 'operator' && coverage.brokerCovers(this.db, this.importer, areaId))
  }

  /**
   * Why the importer may not take an organization they look after from one trust level to another, or undefined.
   * On the site a broker vouches for a self-declared group in their communities; only the street office (an
   * admin) endorses; nobody but an admin lowers a level (a change of kind or area withdraws it by itself).
   */
  trustRefusal(from: orgs.Trust, to: orgs.Trust): Problem | undefined {
    if (from === to || this.all) return undefined
    if (from === 'endorsed' || to === 'endorsed') return { key: 'ledger.endorse_admin' }
    if (from === 'vouched') return { key: 'ledger.unvouch_admin' }
    return undefined
  }
}
