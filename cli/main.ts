import { releaseWebGpu } from '../trainer/backend/webgpu.ts';
import { runCli } from './program.ts';

process.exitCode = await runCli(process.argv.slice(2));
// A WebGPU device keeps Node running while navigator.gpu refers to it.
releaseWebGpu();
