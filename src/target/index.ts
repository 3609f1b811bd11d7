export * from './platforms.js'
export * from './triple.js'
export * from './host.js'
