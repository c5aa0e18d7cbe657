import { Command } from 'commander';
import { type BackendStatus, backendStatuses } from '../../trainer/backend/availability.ts';

/**
 * `dml-edge backends [--json]`: every TensorFlow.js backend the trainer knows, whether it starts on this
 * machine and why not, the WebGPU adapter, and which one `--backend auto` takes.
 */
export function backendsCommand(): Command {
  return new Command('backends')
    .description('list the training backends: available here or why not, the WebGPU adapter, the auto choice')
    .option('--json', 'print the list as JSON')
    .action(async (flags: { json?: boolean }) => {
      const statuses = await backendStatuses();
      process.stdout.write(flags.json ? `${JSON.stringify(statuses, null, 2)}\n` : formatStatuses(statuses));
    });
}

function formatStatuses(statuses: readonly BackendStatus[]): string {
  const lines = statuses.map((s) => {
    const mark = s.usedByAuto ? 'auto' : s.available ? 'yes' : 'no';
    const adapter = s.adapter
      ? `\n    adapter: ${s.adapter.vendor} ${s.adapter.architecture} ${s.adapter.device}: ${s.adapter.description}`
      : '';
    return `${s.backend.padEnd(15)} ${mark.padEnd(5)} ${s.package}${s.note ? `\n    ${s.note}` : ''}${adapter}`;
  });
  return `backend         here  package\n${lines.join('\n')}\n`;
}
