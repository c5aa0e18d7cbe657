export * from './current.ts';
export * from './layout.ts';
export * from './listing.ts';
export * from './verify.ts';
