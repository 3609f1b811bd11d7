/** The public API of headerkit. Everything the CLI does is a call in here. */
export * from './errors.js'
export * from './target/index.js'
export {blake3Hex, loadHasher} from './hash/blake3.js'
export * from './config/index.js'
export * from './store/index.js'
export * from './cibuildwheel/index.js'
export * from './populate/plan.js'
export {resolveHeaders, type ResolvedHeader, type ResolvedHeaders, type ResolveHeadersOptions} from './generate/inputs.js'
