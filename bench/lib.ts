/** Small helpers shared by the benchmark scenarios: timing, percentiles and the printed table. */

export interface Row {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  /** The same metric's baseline in this run, when there is one: the table prints value / baseline. */
  baseline?: number;
  /** Which way the ratio is good ("higher": throughput; "lower": latency, cost), printed beside it. */
  better?: "higher" | "lower";
}

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function printTable(rows: readonly Row[]): void {
  const fmt = (n: number) =>
    Number.isNaN(n) ? "-" : Number.isInteger(n) || n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
  const lines = rows.map((r) => [
    r.scenario,
    r.metric,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline === undefined ? "" : `${fmt(r.baseline)} ${r.unit}`,
    r.baseline === undefined ? "" : `${(r.value / r.baseline).toFixed(2)}×`,
    r.better ?? "",
  ]);
  const header = ["scenario", "metric", "value", "baseline (same run)", "ratio", "better ratio"];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  console.log(row(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const l of lines) console.log(row(l));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens a WebSocket and resolves once it is open. */
export function openSocket(url: string, protocols?: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.addEventListener("open", () => resolve(ws), { once: true });
    ws.addEventListener("error", () => reject(new Error(`could not open ${url}`)), { once: true });
  });
}
