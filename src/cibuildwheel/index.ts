/** cibuildwheel's Linux build selection, re-implemented on vendored data. */
export {CIBUILDWHEEL_RELEASE, LINUX_IDENTIFIERS, PINNED_IMAGES, DEFAULT_IMAGE_OPTIONS, type LinuxIdentifier, type PinnedImage} from './data.js'
export {fnmatch, fnmatchToRegExp, expandSelector, selectorMatches} from './fnmatch.js'
export {parseSpecifierSet, specifierSetContains, type Specifier, type SpecifierSet} from './specifier.js'
export {parseArchs, type ArchHost} from './archs.js'
export {
  selectCibuildwheelBuilds,
  resolveImageValue,
  parseLinuxIdentifier,
  identifierTestVersion,
  type CibuildwheelInput,
  type CibuildwheelSelection,
  type SelectedBuild,
  type ResolvedImage,
  type NotPopulatable,
} from './select.js'
