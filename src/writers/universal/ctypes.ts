/**
 * The universal ctypes module: the ctypes writer's module for every covered target,
 * merged (./merge.ts). Section by section, the items equal on every target are written
 * once and the rest per target under `if TARGET ...`; the layout self-check runs the
 * checks of the target chosen at import.
 */
import {ctypesModule, libraryLines, moduleHeader, moduleText, sectionLines, type CtypesModule} from '../ctypes.js'
import {refusalComment} from '../refusals.js'
import type {ResolvedOptions, WriterContext} from '../types.js'
import {mergeGroup, partLines, type Item} from './merge.js'
import {coverageComment, selectionLines, sortedMembers, type UniversalMember} from './select.js'

export function universalCtypes(members: UniversalMember[], options: ResolvedOptions, context: WriterContext = {}): string {
  const sorted = sortedMembers(members)
  const modules = new Map<string, CtypesModule>(sorted.map((m) => [m.target, ctypesModule(m.ir, options, {...context, target: m.target})]))
  const first = modules.get(sorted[0]!.target)!
  const refusals = sorted.flatMap((m) => {
    const lines = refusalComment(modules.get(m.target)!.refused, '#')
    return lines.length === 0 ? [] : [`# On ${m.target}:`, ...lines]
  })
  const sections = first.sections.map((section, s) => {
    const body = section.groups.flatMap((_, g) => partLines(mergeGroup(new Map<string, Item[]>(sorted.map((m) => [m.target, modules.get(m.target)!.sections[s]!.groups[g]!])))))
    return sectionLines(section, body)
  })
  return moduleText([
    `"""ctypes bindings generated from ${first.source}, one module for every covered platform."""`,
    ...coverageComment(sorted),
    ...refusals,
    '',
    ...moduleHeader(['import platform']),
    ...selectionLines(sorted, `headerkit ${first.source} -w ctypes`),
    ...libraryLines(options),
    ...sections.flat(),
  ])
}
