/**
 * Baseline: a bare Durable Object WebSocket echo (bench/baseline/EchoDO.ts, in the baseline Worker's
 * own dev server). Round-trip latency one frame at a time, and throughput with a window of frames in
 * flight; CPU is that dev server's workerd time.
 */
import { openSocket, percentile, type Row } from "./lib.ts";
import { workerdCpuMs } from "./processes.ts";

export interface EchoFigures {
  p50: number;
  p99: number;
  perSecond: number;
  /** workerd CPU time per echoed frame during the throughput phase. */
  cpuMsPerFrame: number;
  /**
   * workerd CPU time per frame echoed on its own, 10 ms apart: what chat traffic looks like to the
   * runtime (each frame wakes it), the floor under every frame, RPC and timer of a quiet chat.
   */
  cpuMsPerLoneFrame: number;
}

export async function benchEcho(
  baselineUrl: string,
  opts: { roundTrips: number; throughputMs: number; window: number },
): Promise<EchoFigures> {
  const port = Number(new URL(baselineUrl).port);
  const ws = await openSocket(`${baselineUrl.replace(/^http/, "ws")}/echo?room=bench`);
  let waiter: (() => void) | null = null;
  let received = 0;
  ws.addEventListener("message", () => {
    received++;
    waiter?.();
  });
  const samples: number[] = [];
  for (let i = 0; i < opts.roundTrips; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      waiter = r;
      ws.send(`{"type":"echo","i":${i}}`);
    });
    samples.push(performance.now() - t0);
  }
  // Lone frames: one at a time with a pause between, so each one finds the runtime idle.
  const lone = 200;
  const loneBefore = workerdCpuMs(port);
  for (let i = 0; i < lone; i++) {
    await new Promise<void>((r) => {
      waiter = r;
      ws.send(`{"type":"echo","i":${i}}`);
    });
    await new Promise((r) => setTimeout(r, 10));
  }
  const cpuMsPerLoneFrame = (workerdCpuMs(port) - loneBefore) / lone;
  // Throughput: keep `window` frames in flight for a fixed time.
  received = 0;
  let sent = 0;
  const cpuBefore = workerdCpuMs(port);
  const end = performance.now() + opts.throughputMs;
  await new Promise<void>((resolve) => {
    waiter = () => {
      if (performance.now() < end) {
        ws.send(`{"type":"echo","i":${sent++}}`);
      } else if (received >= sent) resolve();
    };
    for (let i = 0; i < opts.window; i++) ws.send(`{"type":"echo","i":${sent++}}`);
  });
  const perSecond = received / (opts.throughputMs / 1000);
  const cpuMsPerFrame = (workerdCpuMs(port) - cpuBefore) / Math.max(1, received);
  ws.close();
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), perSecond, cpuMsPerFrame, cpuMsPerLoneFrame };
}

export function echoRows(e: EchoFigures): Row[] {
  return [
    { scenario: "baseline: bare DO echo", metric: "round trip p50", value: e.p50, unit: "ms" },
    { scenario: "baseline: bare DO echo", metric: "round trip p99", value: e.p99, unit: "ms" },
    { scenario: "baseline: bare DO echo", metric: "frames/s (window)", value: e.perSecond, unit: "/s" },
    { scenario: "baseline: bare DO echo", metric: "workerd CPU per frame", value: e.cpuMsPerFrame, unit: "ms" },
    {
      scenario: "baseline: bare DO echo",
      metric: "workerd CPU per lone frame (10 ms apart)",
      value: e.cpuMsPerLoneFrame,
      unit: "ms",
    },
  ];
}
