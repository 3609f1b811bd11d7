export * from './types.js'
export * from './json.js'
export * from './text.js'
