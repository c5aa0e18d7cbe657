import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImportGraph, findCycles, type ImportGraph, listTsFiles } from './import-graph.ts';

/**
 * The architecture as the folder tree tells it, checked on the real import graph (relative imports,
 * `import type` and re-exports included) of trainer/, edge/, shared/, cli/ and bench/.
 */
const REPO = resolve(import.meta.dirname, '../..');
const ROOTS = ['trainer', 'edge', 'shared', 'cli', 'bench'];
// AssemblyScript sources of the scan kernel: compiled by asc, never imported by TypeScript.
const SKIP = ['shared/ann/scan-kernel/assembly'];

/** The generic trainer files that look tasks up by name, through the registry only. */
const REGISTRY_USERS = [
  'trainer/pipeline/pipeline-config.ts',
  'trainer/retrain/config.ts',
  'trainer/retrain/job.ts',
];
const REGISTRY = 'trainer/tasks/index.ts';

const graph = buildImportGraph(REPO, listTsFiles(REPO, ROOTS, SKIP));

/** Every import, as [importing file, imported file]. */
function imports(): [string, string][] {
  return [...graph].flatMap(([from, targets]) => targets.map((to): [string, string] => [from, to]));
}

const taskOf = (file: string) => /^trainer\/tasks\/([^/]+)\//.exec(file)?.[1];
const folderOf = (file: string) => file.split('/').slice(0, 2).join('/');
const violations = (allowed: (from: string, to: string) => boolean) =>
  imports()
    .filter(([from, to]) => !allowed(from, to))
    .map(([from, to]) => `${from} -> ${to}`);

describe('the import graph', () => {
  it('reads the files of every root', () => {
    for (const root of ROOTS)
      expect([...graph.keys()].some((file) => file.startsWith(`${root}/`))).toBe(true);
    expect(graph.get('trainer/pipeline/pipeline-config.ts')).toContain(REGISTRY);
  });

  it('has no cycles', () => {
    expect(findCycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('keeps edge/ and shared/ free of trainer/, and shared/ and trainer/ free of edge/', () => {
    expect(violations((from, to) => !/^(edge|shared)\//.test(from) || !to.startsWith('trainer/'))).toEqual(
      [],
    );
    expect(violations((from, to) => !/^(shared|trainer)\//.test(from) || !to.startsWith('edge/'))).toEqual(
      [],
    );
  });

  it('keeps each task to itself: a task never imports another', () => {
    expect(violations((from, to) => !taskOf(from) || !taskOf(to) || taskOf(from) === taskOf(to))).toEqual([]);
  });

  it('keeps the generic trainer folders free of tasks, except the registry users, through the registry', () => {
    const generic = (file: string) => file.startsWith('trainer/') && folderOf(file) !== 'trainer/tasks';
    expect(
      violations(
        (from, to) =>
          !generic(from) ||
          !to.startsWith('trainer/tasks/') ||
          (REGISTRY_USERS.includes(from) && to === REGISTRY),
      ),
    ).toEqual([]);
    for (const user of REGISTRY_USERS) expect(graph.get(user)).toContain(REGISTRY);
  });

  it('lists every task folder in the registry, through its task.ts', () => {
    const folders = readdirSync(join(REPO, 'trainer/tasks')).filter((name) =>
      statSync(join(REPO, 'trainer/tasks', name)).isDirectory(),
    );
    expect(folders.length).toBeGreaterThan(0);
    expect(graph.get(REGISTRY)).toEqual(
      expect.arrayContaining(folders.map((folder) => `trainer/tasks/${folder}/task.ts`)),
    );
  });
});

describe('the cycle finder', () => {
  const cyclesOf = (edges: Record<string, string[]>) =>
    findCycles(new Map(Object.entries(edges)) as ImportGraph);

  it('reports each cycle as a path from a file back to itself, and nothing for a graph without one', () => {
    expect(cyclesOf({ a: ['b'], b: ['c'], c: ['a', 'd'], d: [], e: ['a', 'e'] })).toEqual([
      ['a', 'b', 'c', 'a'],
      ['e', 'e'],
    ]);
    expect(cyclesOf({ a: ['b', 'c'], b: ['c'], c: [], d: ['a'] })).toEqual([]);
    // Two cycles through one file form one component, reported by its shortest cycle.
    expect(cyclesOf({ a: ['b', 'c'], b: ['a'], c: ['d'], d: ['a'] })).toEqual([['a', 'b', 'a']]);
  });

  const dir = mkdtempSync(join(tmpdir(), 'import-graph-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a cycle made only of `import type` and a re-export, across folders', () => {
    mkdirSync(join(dir, 'lib/inner'), { recursive: true });
    writeFileSync(join(dir, 'lib/a.ts'), "import type { B } from './inner/b.ts';\nexport type A = B[];\n");
    writeFileSync(join(dir, 'lib/inner/b.ts'), "export type B = number;\nexport { C } from './c.ts';\n");
    writeFileSync(
      join(dir, 'lib/inner/c.ts'),
      "import type { A } from '../a.ts';\nimport { readFileSync } from 'node:fs';\nexport type C = A | typeof readFileSync;\n",
    );
    const files = listTsFiles(dir, ['lib']);
    expect(files).toEqual(['lib/a.ts', 'lib/inner/b.ts', 'lib/inner/c.ts']);
    expect(findCycles(buildImportGraph(dir, files))).toEqual([
      ['lib/a.ts', 'lib/inner/b.ts', 'lib/inner/c.ts', 'lib/a.ts'],
    ]);
  });
});
