/**
 * The layers of README "Architecture" import one way:
 *
 *   client/sdk/protocol ← lib ← db ← durable-objects ← workers
 *
 * and the web app sits on the SDK alone. The Worker reaches the objects through their RPC types
 * (`import type`); only its entry point loads the classes, to export them to the runtime. A file
 * that breaks a rule, or an import cycle between files, fails here with the offending edge.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const SOURCE_DIRS = ["lib", "db", "durable-objects", "workers", "client/sdk", "client/web/src"];

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (name === "node_modules" || name === "dist") continue;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx)$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const IMPORT = /^(import|export)\s+(type\s+)?[^;]*?from\s+["'](\.{1,2}\/[^"']+)["']/gm;
const SIDE_EFFECT_IMPORT = /^import\s+["'](\.{1,2}\/[^"']+)["']/gm;

function edgesOf(file: string): Edge[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const edges: Edge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const to = relative(ROOT, resolve(ROOT, dirname(file), m[3] as string));
    edges.push({ from: file, to, typeOnly: m[2] !== undefined || /^import\s+type\b/.test(m[0]) });
  }
  for (const m of text.matchAll(SIDE_EFFECT_IMPORT)) {
    edges.push({ from: file, to: relative(ROOT, resolve(ROOT, dirname(file), m[1] as string)), typeOnly: false });
  }
  return edges;
}

const files = SOURCE_DIRS.flatMap(sourceFiles);
const edges = files.flatMap(edgesOf);

/** Which layer a path belongs to; more specific prefixes first. */
function layerOf(path: string): string {
  for (const layer of ["client/sdk/protocol", "client/sdk", "client/web", "lib", "db", "durable-objects", "workers"]) {
    if (path === layer || path.startsWith(`${layer}/`)) return layer;
  }
  return "other";
}

/** What each layer may import (besides itself and npm packages). */
const ALLOWED: Record<string, readonly string[]> = {
  "client/sdk/protocol": [],
  "client/sdk": ["client/sdk/protocol"],
  "client/web": ["client/sdk", "client/sdk/protocol"],
  lib: ["client/sdk/protocol"],
  db: ["lib", "client/sdk/protocol"],
  "durable-objects": ["db", "lib", "client/sdk/protocol"],
  workers: ["db", "lib", "client/sdk/protocol", "durable-objects"],
};

describe("layers", () => {
  it("finds the source tree", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(edges.length).toBeGreaterThan(100);
  });

  it("import only downwards", () => {
    const wrong = edges
      .filter((e) => {
        const from = layerOf(e.from);
        const to = layerOf(e.to);
        return from !== to && !(ALLOWED[from] ?? []).includes(to);
      })
      .map((e) => `${e.from} → ${e.to}`);
    expect(wrong).toEqual([]);
  });

  it("lets the Worker reach the objects only through their types, but for the entry point", () => {
    const wrong = edges
      .filter((e) => layerOf(e.from) === "workers" && layerOf(e.to) === "durable-objects")
      .filter((e) => !e.typeOnly && e.from !== "workers/index.ts")
      .map((e) => `${e.from} → ${e.to}`);
    expect(wrong).toEqual([]);
  });

  it("have no import cycles between files", () => {
    const next = new Map<string, string[]>();
    for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push([...path.slice(path.indexOf(file)), file].join(" → "));
        return;
      }
      state.set(file, "open");
      for (const to of next.get(file) ?? []) visit(to, [...path, file]);
      state.set(file, "done");
    };
    // The web app has its own test for this (tests/unit/web-imports.test.ts).
    for (const file of files.filter((f) => layerOf(f) !== "client/web")) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
