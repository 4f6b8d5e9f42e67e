/**
 * An area's path names its ancestors and itself, root first, each id between slashes: a community 17 in street 3
 * is '/3/17/'. The trailing slash keeps '/1/' from being a prefix of '/12/', so "inside" is a plain prefix test.
 * Pure; the one place that knows the format (areas.ts writes it).
 */
export const pathIds = (path: string): number[] => path.split('/').filter(Boolean).map(Number)

/** Is the area at `path` the area at `top` or below it (a street holds its communities)? */
export const isWithin = (path: string, top: string): boolean => path.startsWith(top)
