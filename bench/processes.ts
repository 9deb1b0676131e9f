/**
 * What the local runtime costs, read from /proc: the workerd processes behind a dev server (the
 * proxy that listens on its port and the runtime that hosts the objects, both in the process group
 * stack.ts gives each wrangler), their resident memory and the CPU time they have used. CPU time
 * per message is steadier than wall-clock latency on a noisy 2-core machine: it does not count time
 * spent waiting for a core.
 */
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** CPU ticks per second for utime/stime in /proc/<pid>/stat (USER_HZ; 100 on Linux x86-64). */
const TICKS_PER_SECOND = 100;

function stat(pid: string): { comm: string; pgid: number; cpuTicks: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    // Fields after "(comm) ": state, ppid, pgrp, …, utime (14th field overall), stime (15th).
    const fields = text.slice(close + 2).split(" ");
    return {
      comm: text.slice(text.indexOf("(") + 1, close),
      pgid: Number(fields[2]),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
    };
  } catch {
    return null; // the process went away
  }
}

/** Pids of every workerd process of the dev server listening on `port`. */
export function workerdPids(port: number): string[] {
  const pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  const groups = new Set<number>();
  for (const pid of pids) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmd.includes("workerd") && cmd.includes(`:${port}`)) groups.add(stat(pid)?.pgid ?? -1);
    } catch {
      // the process went away
    }
  }
  return pids.filter((pid) => {
    const s = stat(pid);
    return s !== null && s.comm === "workerd" && groups.has(s.pgid);
  });
}

/** Resident memory (KB) of the workerd processes of the dev servers on `ports`. */
export function workerdRssKb(ports: readonly number[]): number {
  let total = 0;
  for (const pid of ports.flatMap(workerdPids)) {
    try {
      total += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      // the process went away
    }
  }
  return total;
}

/** CPU time (ms, user + system) the workerd processes of the dev server on `port` have used so far. */
export function workerdCpuMs(port: number): number {
  const ticks = workerdPids(port).reduce((sum, pid) => sum + (stat(pid)?.cpuTicks ?? 0), 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** CPU time (ms) every process of the machine has used since boot, all cores (/proc/stat). */
export function machineCpuMs(): number {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: everything but idle and iowait is busy.
  const busy = fields.reduce((sum, ticks, i) => (i === 3 || i === 4 ? sum : sum + ticks), 0);
  return (busy * 1000) / TICKS_PER_SECOND;
}

/** CPU time (ms) of every process (wrangler, esbuild, workerd) in the groups of the dev servers on `ports`. */
export function devServerCpuMs(ports: readonly number[]): number {
  const groups = new Set(ports.flatMap(workerdPids).map((pid) => stat(pid)?.pgid ?? -1));
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    const s = stat(pid);
    if (s && groups.has(s.pgid)) ticks += s.cpuTicks;
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * Measures how busy the machine is outside this bench: CPU used by anything but this process and
 * the dev servers on `ports` (so Postgres, Redis, and whatever else runs), as a share of all cores
 * between `start()` and `stop()`. A clean measurement needs it near 0 on the bare room's windows.
 */
export function outsideCpu(ports: readonly number[]): { stop(): number } {
  const ours = () => devServerCpuMs(ports) + (process.cpuUsage().user + process.cpuUsage().system) / 1000;
  const machine0 = machineCpuMs();
  const ours0 = ours();
  const t0 = performance.now();
  return {
    stop() {
      const outside = machineCpuMs() - machine0 - (ours() - ours0);
      return (100 * Math.max(0, outside)) / ((performance.now() - t0) * availableParallelism());
    },
  };
}
