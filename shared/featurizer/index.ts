export * from './murmur3.ts';
export * from './text.ts';
export * from './tokenize.ts';
