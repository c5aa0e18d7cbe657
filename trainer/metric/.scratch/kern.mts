import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../backend/index.ts';
await initBackend('wasm');
const names = tf.getKernelsForBackend('wasm').map((k) => k.kernelName).sort();
console.log(names.join(' '));
