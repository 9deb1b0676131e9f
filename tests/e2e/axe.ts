/**
 * axe-core, run inside the page through playwright-core: the automated part of a WCAG 2.2 AA check.
 * The script is evaluated over the DevTools protocol, so the app's CSP (no inline scripts) stays on.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Violations of WCAG 2.0–2.2 A/AA rules (and axe's best practices) of `impact` serious or critical. */
export async function seriousViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: AxeLike }).axe;
    const result = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
      resultTypes: ["violations"],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(" ")),
    }));
  });
  return found.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** The slice of axe's API used here (axe-core's own types describe the global, not a window field). */
interface AxeLike {
  run(
    context: Document,
    options: object,
  ): Promise<{
    violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: string[] }> }>;
  }>;
}
