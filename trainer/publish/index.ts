export { readCurrent, setCurrent } from './current.ts';
export { listModels, listVersions } from './listing.ts';
export { type PublishOptions, type PublishResult, publishVersion } from './publish.ts';
export { readVersionManifest, sha256File, verifyVersion } from './verify.ts';
