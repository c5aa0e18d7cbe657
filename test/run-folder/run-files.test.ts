import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { RUN_JSON_WRITERS, type RunJsonFile, readRunFile, runPath } from '../../trainer/pipeline/run-dir.ts';
import { IMAGE_RUN_FILES } from '../../trainer/tasks/image/stages/run-files.ts';
import { RECS_RUN_FILES } from '../../trainer/tasks/recommendation/stages/run-files.ts';
import { TEXT_RUN_FILES } from '../../trainer/tasks/text/stages/run-files.ts';

/**
 * Every JSON file a stage writes into a run folder is read through its schema: a file an older or broken
 * run left names itself, each bad field and the stage to rerun. (A real stage fed such a file: the text
 * pipeline's end-to-end test.)
 */
const REGISTRIES = { text: TEXT_RUN_FILES, image: IMAGE_RUN_FILES, recommendation: RECS_RUN_FILES };
const CASES = Object.entries(REGISTRIES).flatMap(([task, files]) =>
  Object.entries(files).map(([file, schema]) => ({
    task,
    file: file as RunJsonFile,
    schema: schema as z.ZodType,
  })),
);

const root = mkdtempSync(join(tmpdir(), 'dml-run-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let runs = 0;
function runWith(file: RunJsonFile, content: unknown): string {
  runs += 1;
  const runDir = join(root, `run-${runs}`);
  mkdirSync(runDir);
  writeFileSync(runPath(runDir, file), JSON.stringify(content));
  return runDir;
}

/** The top-level fields a file must have. */
function requiredFields(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape: Record<string, z.ZodType> }).shape;
  return Object.keys(shape).filter((key) => !shape[key].safeParse(undefined).success);
}

describe.each(CASES)('$task $file', ({ file, schema }) => {
  const stage = RUN_JSON_WRITERS[file];
  const required = requiredFields(schema);

  it('has required fields to check', () => {
    expect(required.length).toBeGreaterThan(0);
  });

  it('a file missing its fields names the file, every missing field and the stage to rerun', () => {
    const runDir = runWith(file, {});
    const id = runDir.split('/').at(-1);
    const message = (() => {
      try {
        readRunFile(runDir, file, schema);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('read a file without its fields');
    })();
    expect(message.startsWith(`${runPath(runDir, file)}: invalid run file\n`)).toBe(true);
    for (const field of required) expect(message).toContain(`\n  ${field}: `);
    expect(message).toContain(`written by the ${stage} stage`);
    expect(message).toContain(`dml-edge ${stage} --run ${id}`);
  });

  it('a field of the wrong type is named with what was expected', () => {
    const field = required[0];
    const wrong = schema.safeParse({ [field]: [] }).error?.issues.some((i) => i.path[0] === field) ? [] : 'x';
    const runDir = runWith(file, { [field]: wrong });
    expect(() => readRunFile(runDir, file, schema)).toThrow(
      new RegExp(`\\n  ${field}: Invalid (input|option): expected `),
    );
  });

  it('a missing file says which stage writes it', () => {
    const runDir = join(root, 'empty');
    expect(() => readRunFile(runDir, file, schema)).toThrow(
      `${runPath(runDir, file)} does not exist: run the ${stage} stage first (dml-edge ${stage} --run empty)`,
    );
  });
});
