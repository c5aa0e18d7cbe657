import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's python3-onnx; the reference checker is only available from Python. */
const PYTHON = '/usr/bin/python3';
const CHECK_SCRIPT = 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)';
const INSTALL_HINT = 'install it with `apt-get install python3-onnx` (Debian/Ubuntu)';

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
    execFile(PYTHON, ['-c', CHECK_SCRIPT, path], { maxBuffer: 16 << 20 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new Error(`cannot check ONNX models: ${PYTHON} not found; ${INSTALL_HINT}`));
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
