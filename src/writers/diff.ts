import type {Writer} from './types.js'
export const diffWriter: Writer = {name: 'diff', description: '', cacheOutput: false, cacheVersion: '1', extension: '.txt', defaultOutputPattern: '', options: {}, write: () => ''}
