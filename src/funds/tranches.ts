/**
 * How an award is paid: one tranche per milestone, `share_pct` of the award each. Pure (no db, no clock).
 *
 * Shares are whole percentages, so a share of an amount in fen rarely divides exactly; each tranche is rounded down
 * and the last one takes what is left, so the tranches always add up to the award to the fen. The last milestone's
 * tranche is the close-out's (结项): it is released when the close-out report is approved, the others when their
 * milestone's report is.
 */
export interface MilestoneShare {
  id: number
  position: number
  sharePct: number
}
export interface Tranche {
  milestoneId: number
  amountFen: number
  last: boolean
}

export function tranches(awardFen: number, milestones: MilestoneShare[]): Tranche[] {
  const ordered = [...milestones].sort((a, b) => a.position - b.position || a.id - b.id)
  let paid = 0
  return ordered.map((m, i) => {
    const last = i === ordered.length - 1
    const amountFen = last ? awardFen - paid : Math.floor((awardFen * m.sharePct) / 100)
    paid += amountFen
    return { milestoneId: m.id, amountFen, last }
  })
}
