import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Debian's python3-onnx; the reference checker is only available from Python. DML_EDGE_PYTHON names
 * another interpreter (one whose `import onnx` works).
 */
const pythonPath = (env: NodeJS.ProcessEnv = process.env) => env.DML_EDGE_PYTHON || '/usr/bin/python3';
const CHECK_SCRIPT = 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)';
const INSTALL_HINT = 'install it with `apt-get install python3-onnx` (Debian/Ubuntu)';

/**
 * Whether exports must pass Python's checker (DML_EDGE_ONNX_CHECKER): `auto` (the default) runs it where
 * it is installed, and otherwise relies on onnxruntime loading and running the model with the parity
 * check every export does; `require` fails without it (CI and the tests set this).
 */
export const OnnxCheckerPolicySchema = z.enum(['auto', 'require']);
export type OnnxCheckerPolicy = z.infer<typeof OnnxCheckerPolicySchema>;

export function onnxCheckerPolicy(env: NodeJS.ProcessEnv = process.env): OnnxCheckerPolicy {
  const value = env.DML_EDGE_ONNX_CHECKER || 'auto';
  const parsed = OnnxCheckerPolicySchema.safeParse(value);
  if (!parsed.success) throw new Error(`DML_EDGE_ONNX_CHECKER must be auto or require; got '${value}'`);
  return parsed.data;
}

/** Why Python's ONNX checker cannot run here (with how to fix it), or undefined when it can. */
export function onnxCheckerMissing(): Promise<string | undefined> {
  const python = pythonPath();
  return new Promise((resolve) => {
    execFile(python, ['-c', 'import onnx.checker'], (error, _stdout, stderr) => {
      if (!error) return resolve(undefined);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return resolve(`${python} not found; ${INSTALL_HINT}`);
      resolve(
        /No module named '?onnx'?/.test(stderr)
          ? `${python} has no onnx module; ${INSTALL_HINT}`
          : `${python} -c 'import onnx.checker' failed: ${lastTracebackLine(stderr)}`,
      );
    });
  });
}

/** What validated an exported file: the full checker, or onnxruntime alone (with the export's parity check). */
export const OnnxValidationSchema = z.enum(['onnx.checker', 'onnxruntime']);
export type OnnxValidation = z.infer<typeof OnnxValidationSchema>;

/**
 * Checks an exported file as the policy says: Python's full checker where it runs; under `auto` without
 * it, nothing here (the caller loads the file in onnxruntime and measures parity, which fails the export
 * on a broken file). Returns what validated the file, for the run's records.
 */
export async function checkExportedModel(
  path: string,
  policy: OnnxCheckerPolicy = onnxCheckerPolicy(),
): Promise<OnnxValidation> {
  if (policy === 'auto' && (await onnxCheckerMissing()) !== undefined) return 'onnxruntime';
  await checkOnnxModel(path);
  return 'onnx.checker';
}

/**
 * Runs onnx.checker.check_model(full_check=True) on a model given as bytes or as a file path. Resolves
 * when the model is valid; rejects with the checker's own message when it is not, or with an install
 * hint when Python or its onnx package is missing.
 */
export async function checkOnnxModel(model: Uint8Array | string): Promise<void> {
  if (typeof model === 'string') return runChecker(model, model);
  const folder = await mkdtemp(join(tmpdir(), 'onnx-check-'));
  try {
    const path = join(folder, 'model.onnx');
    await writeFile(path, model);
    await runChecker(path, `the model (${model.byteLength} bytes)`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function runChecker(path: string, label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const python = pythonPath();
    execFile(python, ['-c', CHECK_SCRIPT, path], { maxBuffer: 16 << 20 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new Error(`cannot check ONNX models: ${python} not found; ${INSTALL_HINT}`));
      }
      if (/No module named '?onnx'?/.test(stderr)) {
        return reject(new Error(`cannot check ONNX models: Python has no onnx module; ${INSTALL_HINT}`));
      }
      reject(new Error(`ONNX checker rejected ${label}:\n${lastTracebackLine(stderr)}`));
    });
  });
}

/** A Python traceback ends with "ExceptionType: message"; that line is the useful part. */
function lastTracebackLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const start = lines.findLastIndex((line) => /^[\w.]+(Error|Exception)\b/.test(line));
  return (start >= 0 ? lines.slice(start) : lines).join('\n');
}
