/**
 * A set of listing ids kept in memory (a word's postings, see relevance.ts): sorted ids while sparse, a bit per
 * rowid once that is smaller. At 1M listings the commonest word holds 238k ids, 0.95 MB sorted and 0.12 MB as bits,
 * so the common words that most match pages ask for stay kept within the budget instead of being read again.
 */
export class Ids {
  private constructor(
    private sorted: Int32Array | undefined,
    private bits: Uint32Array | undefined,
    /** How many ids it holds. */
    public size: number,
  ) {}

  /** From ids in ascending order. */
  static of(ascending: readonly number[]): Ids {
    const n = ascending.length
    const words = n === 0 ? 0 : (ascending[n - 1]! >> 5) + 1
    if (words >= n) return new Ids(Int32Array.from(ascending), undefined, n)
    const bits = new Uint32Array(words)
    for (const id of ascending) bits[id >> 5]! |= 1 << (id & 31)
    return new Ids(undefined, bits, n)
  }

  /** 4-byte words held, for the budget. */
  get cost(): number {
    return this.sorted?.length ?? this.bits!.length
  }

  has(id: number): boolean {
    if (this.bits) return id >= 0 && ((this.bits[id >> 5] ?? 0) & (1 << (id & 31))) !== 0
    const sorted = this.sorted!
    const at = lowerBound(sorted, id)
    return at < sorted.length && sorted[at] === id
  }

  /** The largest id held, -1 when empty. */
  get max(): number {
    if (this.size === 0) return -1
    if (this.sorted) return this.sorted[this.sorted.length - 1]!
    const bits = this.bits!
    let w = bits.length - 1
    while (bits[w] === 0) w--
    return (w << 5) + 31 - Math.clz32(bits[w]!)
  }

  /** Calls `f` for every id held, in ascending order. */
  forEach(f: (id: number) => void): void {
    if (this.sorted) {
      for (const id of this.sorted) f(id)
      return
    }
    const bits = this.bits!
    for (let w = 0; w < bits.length; w++) {
      for (let word = bits[w]!; word !== 0; word &= word - 1) f((w << 5) + 31 - Math.clz32(word & -word))
    }
  }

  /**
   * How many ids are in every set of at least one of `alls`: the listings `(a AND b) OR (c AND d)` matches when
   * each word's listings are kept.
   */
  static countInAny(alls: readonly (readonly Ids[])[]): number {
    return Ids.inAny(alls).size
  }

  /** The ids in every set of at least one of `alls`, as a bit per id up to the largest that can be in the answer. */
  static inAny(alls: readonly (readonly Ids[])[]): Ids {
    const bySize = alls.filter((all) => all.length > 0).map((all) => [...all].sort((a, b) => a.size - b.size))
    const top = bySize.reduce((m, all) => Math.max(m, all[0]!.max), -1)
    const acc = new Uint32Array(top < 0 ? 0 : (top >> 5) + 1)
    for (const [smallest, ...rest] of bySize) {
      if (smallest!.bits && rest.every((other) => other.bits)) {
        // Common words (a word per 32 listings, where listing their ids one by one took a millisecond at 1M).
        const bits = smallest!.bits
        const others = rest.map((other) => other.bits!)
        for (let w = 0; w < bits.length && w < acc.length; w++) {
          let word = bits[w]!
          for (const other of others) word &= other[w] ?? 0
          acc[w]! |= word
        }
      } else {
        smallest!.forEach((id) => {
          if (rest.every((other) => other.has(id))) acc[id >> 5]! |= 1 << (id & 31)
        })
      }
    }
    let n = 0
    for (let w = 0; w < acc.length; w++) n += popcount(acc[w]!)
    return new Ids(undefined, acc, n)
  }

  /** Every id held, largest first. */
  descending(): Int32Array {
    const out = new Int32Array(this.size)
    let at = 0
    if (this.sorted) {
      for (let i = this.sorted.length - 1; i >= 0; i--) out[at++] = this.sorted[i]!
      return out
    }
    const bits = this.bits!
    for (let w = bits.length - 1; w >= 0; w--) {
      for (let word = bits[w]!; word !== 0; word &= ~(1 << (31 - Math.clz32(word)))) {
        out[at++] = (w << 5) + 31 - Math.clz32(word)
      }
    }
    return out
  }

  /** Puts `id` in or takes it out, as `inside` says. */
  place(id: number, inside: boolean): void {
    if (this.has(id) === inside) return
    this.size += inside ? 1 : -1
    if (this.bits) {
      if (id >> 5 >= this.bits.length) {
        const grown = new Uint32Array((id >> 5) + 1)
        grown.set(this.bits)
        this.bits = grown
      }
      this.bits[id >> 5]! ^= 1 << (id & 31)
      return
    }
    const sorted = this.sorted!
    const at = lowerBound(sorted, id)
    const out = new Int32Array(sorted.length + (inside ? 1 : -1))
    out.set(sorted.subarray(0, at))
    if (inside) {
      out[at] = id
      out.set(sorted.subarray(at), at + 1)
    } else out.set(sorted.subarray(at + 1), at)
    this.sorted = out
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff
}

function lowerBound(sorted: Int32Array, id: number): number {
  let lo = 0,
    hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid]! < id) lo = mid + 1
    else hi = mid
  }
  return lo
}
