import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** File -> the files it imports (relative imports only, `import type` and re-exports included), by repo-relative path. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** Every .ts file under `roots` (repo-relative folders), skipping `skip` (repo-relative prefixes). */
export function listTsFiles(repo: string, roots: readonly string[], skip: readonly string[] = []): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(repo, dir))) {
      const path = `${dir}/${name}`;
      if (name === 'node_modules' || skip.some((prefix) => path.startsWith(prefix))) continue;
      if (statSync(join(repo, path)).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
    }
  };
  for (const root of roots) walk(root);
  return files.sort();
}

/** The .ts file a relative specifier names, or undefined for a non-TypeScript target (JSON, WASM). */
function resolveImport(repo: string, from: string, specifier: string): string | undefined {
  const base = resolve(repo, dirname(from), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  const found = candidates.find(
    (path) => path.endsWith('.ts') && existsSync(path) && statSync(path).isFile(),
  );
  return found && relative(repo, found);
}

/** The import graph of `files`, read with the TypeScript compiler's pre-processor (no type checking). */
export function buildImportGraph(repo: string, files: readonly string[]): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(repo, file), 'utf8'), true, true);
    const targets = importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('./') || specifier.startsWith('../'))
      .map((specifier) => resolveImport(repo, file, specifier))
      .filter((target): target is string => target !== undefined);
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * One cycle per strongly connected component that has one (Tarjan's algorithm), each as a path that
 * starts and ends at the same file.
 */
export function findCycles(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) connect(node);
  return components
    .filter((component) => component.length > 1 || (graph.get(component[0]) ?? []).includes(component[0]))
    .map((component) => cycleThrough(graph, new Set(component)));
}

/** The shortest cycle from the component's first file (in sorted order) back to itself, within the component. */
function cycleThrough(graph: ImportGraph, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0];
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i += 1) {
    const at = queue[i];
    for (const next of graph.get(at) ?? []) {
      if (next === start) {
        const path = [at];
        while (path[0] !== start) path.unshift(previous.get(path[0])!);
        return [...path, start];
      }
      if (component.has(next) && !previous.has(next)) {
        previous.set(next, at);
        queue.push(next);
      }
    }
  }
  throw new Error(`no cycle through ${start}`);
}
