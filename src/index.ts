/** The public API of headerkit. Everything the CLI does is a call in here. */
export * from './errors.js'
export * from './target/index.js'
export {blake3Hex, loadHasher} from './hash/blake3.js'
export * from './config/index.js'
export * from './store/index.js'
