import * as tf from '@tensorflow/tfjs';

/**
 * A loss's statistics of its last compute, read asynchronously: values that live on the device stay
 * there as one kept tensor until read, since WebGPU in Node cannot read a tensor synchronously. Counts
 * known on the host (tuples, the miner's) are kept as numbers.
 */
export interface RecordedStats {
  /** Replaces what was recorded: host numbers and device scalars by name. */
  record(host: Record<string, number>, device: Record<string, tf.Scalar>): void;
  read(): Promise<Readonly<Record<string, number>>>;
  dispose(): void;
}

export function createRecordedStats(): RecordedStats {
  let host: Record<string, number> = {};
  let names: string[] = [];
  let pending: tf.Tensor1D | null = null;
  const dispose = () => {
    pending?.dispose();
    pending = null;
  };
  return {
    record(nextHost, device) {
      dispose();
      host = nextHost;
      names = Object.keys(device);
      if (names.length > 0) pending = tf.keep(tf.stack(Object.values(device)) as tf.Tensor1D);
    },
    async read() {
      if (pending) {
        const tensor = pending;
        pending = null;
        const values = await tensor.data();
        tensor.dispose();
        host = { ...host, ...Object.fromEntries(names.map((name, i) => [name, values[i]])) };
      }
      return host;
    },
    dispose,
  };
}
