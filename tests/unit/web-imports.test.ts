/**
 * The web app's modules import one way: components → controller → actions → session port, state and
 * lib, never back. Any import cycle between files under client/web/src (type-only imports included,
 * since they couple the files just the same) fails here with the files of the loop.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const WEB = "client/web/src";

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return filesUnder(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Relative specifiers of static imports and re-exports, side-effect imports and `import()` calls. */
const SPECIFIERS = [
  /^\s*(?:import|export)\b[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/gm,
  /^\s*import\s*["'](\.{1,2}\/[^"']+)["']/gm,
  /\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
];

/** The file a relative specifier names (explicit extension, or one added the way Vite resolves). */
function target(from: string, specifier: string): string {
  const base = relative(ROOT, resolve(ROOT, dirname(from), specifier));
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    if (existsSync(join(ROOT, candidate)) && statSync(join(ROOT, candidate)).isFile()) return candidate;
  }
  return base;
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  return SPECIFIERS.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => target(file, m[1] as string)));
}

const files = filesUnder(WEB);
const graph = new Map(files.map((f) => [f, importsOf(f).filter((to) => to.startsWith(`${WEB}/`))]));

/** Every loop found by a depth-first walk, each as `a → b → … → a`. */
function cycles(): string[] {
  const found: string[] = [];
  const state = new Map<string, "open" | "done">();
  const walk = (file: string, path: string[]): void => {
    const seen = state.get(file);
    if (seen === "done") return;
    if (seen === "open") {
      found.push([...path.slice(path.indexOf(file)), file].join(" → "));
      return;
    }
    state.set(file, "open");
    for (const to of graph.get(file) ?? []) walk(to, [...path, file]);
    state.set(file, "done");
  };
  for (const file of files) walk(file, []);
  return found;
}

describe("web app imports", () => {
  it("finds the app's modules and their imports", () => {
    expect(files).toContain(`${WEB}/app/controller.ts`);
    expect(graph.get(`${WEB}/app/controller.ts`)).toContain(`${WEB}/app/message-actions.ts`);
  });

  it("have no cycles between files", () => {
    expect(cycles()).toEqual([]);
  });

  it("let the action groups reach the session only through its port, never the controller", () => {
    const back = ["group", "message", "profile"]
      .map((name) => `${WEB}/app/${name}-actions.ts`)
      .filter((file) => graph.get(file)?.includes(`${WEB}/app/controller.ts`));
    expect(back).toEqual([]);
  });

  it("fails on a loop (the walk itself is checked on a made-up graph)", () => {
    const saved = new Map(graph);
    graph.set(`${WEB}/app/controller.ts`, [`${WEB}/app/message-actions.ts`]);
    graph.set(`${WEB}/app/message-actions.ts`, [`${WEB}/app/controller.ts`]);
    try {
      expect(cycles().length).toBeGreaterThan(0);
    } finally {
      graph.clear();
      for (const [k, v] of saved) graph.set(k, v);
    }
  });
});
