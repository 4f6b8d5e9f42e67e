/**
 * The asset map's geometry, drawn on the server: one closed shape per community, an outline per street, a
 * label point per street. Pure and deterministic (same areas, same SVG), so the page can be remembered and
 * tested. No map tiles: the shapes are a schematic, not a survey.
 *
 * With coordinates on every community (and no two at the same point), communities are the Voronoi cells of
 * their projected points, clipped to the frame (d3-delaunay); otherwise a fallback: streets as vertical
 * blocks sized by their number of communities, communities as a grid of cells inside their street.
 * Either way the cells tile the frame exactly, and a street's outline is the boundary of its cells.
 */
import { Delaunay } from 'd3-delaunay'

export interface CommunityPoint {
  id: number
  streetId: number
  lat: number | null
  lng: number | null
}

export interface StreetNode {
  id: number
}

export type Point = [number, number]

export interface Layout {
  width: number
  height: number
  method: 'voronoi' | 'grid'
  cells: { id: number; streetId: number; polygon: Point[]; d: string; centre: Point }[]
  streets: { id: number; loops: Point[][]; d: string; label: Point }[]
}

export const FRAME = { width: 640, height: 440, margin: 24 }

const r2 = (x: number) => Math.round(x * 100) / 100
const key = (p: Point) => `${p[0]},${p[1]}`

export function polygonArea(poly: readonly Point[]): number {
  let s = 0
  for (let i = 0; i < poly.length; i++) {
    const [x1, y1] = poly[i]!,
      [x2, y2] = poly[(i + 1) % poly.length]!
    s += x1 * y2 - x2 * y1
  }
  return s / 2
}

export function centroid(poly: readonly Point[]): Point {
  const a = polygonArea(poly)
  if (Math.abs(a) < 1e-9) {
    const n = poly.length || 1
    return [poly.reduce((s, p) => s + p[0], 0) / n, poly.reduce((s, p) => s + p[1], 0) / n]
  }
  let cx = 0,
    cy = 0
  for (let i = 0; i < poly.length; i++) {
    const [x1, y1] = poly[i]!,
      [x2, y2] = poly[(i + 1) % poly.length]!
    const f = x1 * y2 - x2 * y1
    cx += (x1 + x2) * f
    cy += (y1 + y2) * f
  }
  return [cx / (6 * a), cy / (6 * a)]
}

const pathOf = (loops: readonly (readonly Point[])[]) =>
  loops.map((l) => `M${l.map((p) => `${p[0]} ${p[1]}`).join('L')}Z`).join('')

/** Counter-clockwise in SVG's y-down frame is clockwise on paper; any one orientation for all, so shared edges run opposite. */
function oriented(poly: Point[]): Point[] {
  return polygonArea(poly) < 0 ? [...poly].reverse() : poly
}

/**
 * The boundary of a set of cells that tile part of the plane: every edge shared by two of the cells cancels,
 * the rest chain into closed loops.
 */
export function outline(polygons: readonly (readonly Point[])[]): Point[][] {
  const edges = new Map<string, [Point, Point]>()
  for (const poly of polygons) {
    for (let i = 0; i < poly.length; i++) {
      const a = poly[i]!,
        b = poly[(i + 1) % poly.length]!
      const back = `${key(b)}>${key(a)}`
      if (edges.has(back)) edges.delete(back)
      else edges.set(`${key(a)}>${key(b)}`, [a, b])
    }
  }
  // Chain: from each start point to the edge leaving it (a pinch point may have two; take them in order).
  const from = new Map<string, [Point, Point][]>()
  for (const e of [...edges.values()].sort(
    (x, y) => key(x[0]).localeCompare(key(y[0])) || key(x[1]).localeCompare(key(y[1])),
  )) {
    const k = key(e[0])
    from.set(k, [...(from.get(k) ?? []), e])
  }
  const loops: Point[][] = []
  for (const start of [...from.keys()].sort()) {
    while (from.get(start)?.length) {
      const loop: Point[] = []
      let edge = from.get(start)!.shift()!
      for (let guard = 0; guard <= edges.size; guard++) {
        loop.push(edge[0])
        const next = from.get(key(edge[1]))
        if (!next?.length) break
        edge = next.shift()!
      }
      loops.push(loop)
    }
  }
  return loops
}

/** Polygons split along straight collinear runs (a T-junction of the fallback grid) so shared edges match exactly. */
function withPoints(poly: Point[], points: readonly Point[]): Point[] {
  const out: Point[] = []
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i]!,
      b = poly[(i + 1) % poly.length]!
    out.push(a)
    const between = points.filter((p) => {
      if (key(p) === key(a) || key(p) === key(b)) return false
      const cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
      if (Math.abs(cross) > 1e-6) return false
      const t =
        Math.abs(b[0] - a[0]) > Math.abs(b[1] - a[1]) ? (p[0] - a[0]) / (b[0] - a[0]) : (p[1] - a[1]) / (b[1] - a[1])
      return t > 0 && t < 1
    })
    const along = (p: Point) => Math.hypot(p[0] - a[0], p[1] - a[1])
    out.push(...between.sort((p, q) => along(p) - along(q)))
  }
  return out
}

/** Communities, in the order given, laid out in the frame; streets in the order given. */
export function layout(streets: readonly StreetNode[], communities: readonly CommunityPoint[], frame = FRAME): Layout {
  const placed = communities.filter((c) => streets.some((s) => s.id === c.streetId))
  const useVoronoi =
    placed.length > 0 &&
    placed.every((c) => c.lat !== null && c.lng !== null) &&
    new Set(placed.map((c) => `${c.lat},${c.lng}`)).size === placed.length
  let polygons = useVoronoi ? voronoiCells(placed, frame) : gridCells(streets, placed, frame)
  const allPoints = [...new Map(polygons.flat().map((p) => [key(p), p])).values()]
  polygons = polygons.map((poly) => withPoints(poly, allPoints))
  const cells = placed.map((c, i) => ({
    id: c.id,
    streetId: c.streetId,
    polygon: polygons[i]!,
    d: pathOf([polygons[i]!]),
    centre: centroid(polygons[i]!).map(r2) as Point,
  }))
  const outlines = streets
    .map((s) => {
      const own = cells.filter((c) => c.streetId === s.id)
      if (own.length === 0) return undefined
      const loops = outline(own.map((c) => c.polygon))
      // The label sits at the street's largest cell's centre weighted toward the others: the area-weighted mean of centres.
      const total = own.reduce((sum, c) => sum + polygonArea(c.polygon), 0)
      const label: Point = [
        r2(own.reduce((x, c) => x + c.centre[0] * polygonArea(c.polygon), 0) / total),
        r2(own.reduce((y, c) => y + c.centre[1] * polygonArea(c.polygon), 0) / total),
      ]
      return { id: s.id, loops, d: pathOf(loops), label }
    })
    .filter((s): s is NonNullable<typeof s> => !!s)
  return { width: frame.width, height: frame.height, method: useVoronoi ? 'voronoi' : 'grid', cells, streets: outlines }
}

function voronoiCells(communities: readonly CommunityPoint[], frame: typeof FRAME): Point[][] {
  // Equirectangular projection around the mean latitude: at district scale the distortion is invisible.
  const lat0 = communities.reduce((s, c) => s + c.lat!, 0) / communities.length
  const k = Math.cos((lat0 * Math.PI) / 180)
  const raw = communities.map((c) => [c.lng! * k, -c.lat!] as Point)
  const xs = raw.map((p) => p[0]),
    ys = raw.map((p) => p[1])
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]
  const innerW = frame.width - 2 * frame.margin,
    innerH = frame.height - 2 * frame.margin
  const spanX = maxX - minX,
    spanY = maxY - minY
  const scale =
    spanX === 0 && spanY === 0 ? 1 : Math.min(spanX ? innerW / spanX : Infinity, spanY ? innerH / spanY : Infinity)
  const offX = frame.margin + (innerW - spanX * scale) / 2,
    offY = frame.margin + (innerH - spanY * scale) / 2
  const points = raw.map(([x, y]) => [offX + (x - minX) * scale, offY + (y - minY) * scale] as Point)
  const voronoi = Delaunay.from(points).voronoi([0, 0, frame.width, frame.height])
  return points.map((_, i) => {
    const poly = (voronoi.cellPolygon(i) ?? []).slice(0, -1).map(([x, y]) => [r2(x), r2(y)] as Point)
    // Rounding can fold two neighbouring vertices into one: drop the repeat.
    return oriented(poly.filter((p, j) => key(p) !== key(poly[(j + poly.length - 1) % poly.length]!)))
  })
}

function gridCells(
  streets: readonly StreetNode[],
  communities: readonly CommunityPoint[],
  frame: typeof FRAME,
): Point[][] {
  const byStreet = streets.map((s) => communities.filter((c) => c.streetId === s.id)).filter((list) => list.length > 0)
  const total = communities.length
  const cellOf = new Map<number, Point[]>()
  let x0 = 0
  byStreet.forEach((list, si) => {
    const x1 = si === byStreet.length - 1 ? frame.width : r2(x0 + (frame.width * list.length) / total)
    const cols = Math.max(1, Math.round(Math.sqrt((list.length * (x1 - x0)) / frame.height)))
    const rows = Math.ceil(list.length / cols)
    list.forEach((c, i) => {
      const row = Math.floor(i / cols)
      // The last row's cells widen to fill it, so the street's block is covered exactly.
      const inRow = row === rows - 1 ? list.length - row * cols : cols
      const col = i - row * cols
      const w = (x1 - x0) / inRow
      const left = r2(x0 + col * w),
        right = col === inRow - 1 ? x1 : r2(x0 + (col + 1) * w)
      const top = r2((frame.height * row) / rows),
        bottom = row === rows - 1 ? frame.height : r2((frame.height * (row + 1)) / rows)
      cellOf.set(
        c.id,
        oriented([
          [left, top],
          [right, top],
          [right, bottom],
          [left, bottom],
        ]),
      )
    })
    x0 = x1
  })
  return communities.map((c) => cellOf.get(c.id)!)
}
