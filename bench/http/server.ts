import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../paths.ts';

const ReadySchema = z.object({ url: z.url() });

export interface ServerProcess {
  url: string;
  /** Disconnects; the server closes its connections and models and exits. */
  stop(): Promise<void>;
}

/** Starts the real Node server (edge/adapters/node/server.ts) on a free loopback port in a child process. */
export async function startServerProcess(artifactsDir: string): Promise<ServerProcess> {
  const child = fork(join(REPO_ROOT, 'bench', 'http', 'server-process.ts'), [artifactsDir], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx'],
  });
  try {
    const url = await readyUrl(child);
    return {
      url,
      async stop() {
        if (child.exitCode !== null) return;
        const exited = once(child, 'exit');
        child.disconnect();
        await exited;
      },
    };
  } catch (error) {
    child.kill();
    throw error;
  }
}

function readyUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`the server process exited (${code}) before listening`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.once('message', (message) => {
      child.off('exit', onExit);
      child.off('error', reject);
      const parsed = ReadySchema.safeParse(message);
      if (parsed.success) resolve(parsed.data.url);
      else reject(new Error(`the server process sent ${JSON.stringify(message)}, not {url}`));
    });
  });
}
