import type {Writer} from './types.js'
export const promptWriter: Writer = {name: 'prompt', description: '', cacheOutput: false, cacheVersion: '1', extension: '.txt', defaultOutputPattern: '', options: {}, write: () => ''}
