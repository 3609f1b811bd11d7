/** "Did you mean": the known name nearest to a mistyped one, when it is near enough to be a typo. */
import {distance} from 'fastest-levenshtein'

/** The first of `known` at the smallest edit distance from `given`, if that distance is at most `maxDistance`. */
export function nearestName(given: string, known: readonly string[], maxDistance: number): string | undefined {
  let best: {name: string; d: number} | undefined
  for (const name of known) {
    const d = distance(given, name)
    if (best === undefined || d < best.d) best = {name, d}
  }
  return best !== undefined && best.d <= maxDistance ? best.name : undefined
}
