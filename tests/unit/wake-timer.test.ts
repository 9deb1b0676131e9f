/**
 * The conversation's fan-out timer: every pass that leaves held-back events asks for a run at the
 * earliest one's time, and each timer that fires wakes the runtime, so asking twice for the same
 * (or a later) time must not arm a second timer.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WakeTimer } from "../../durable-objects/shared/wake-timer.ts";

describe("WakeTimer", () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => void vi.useRealTimers());

  it("runs once for every request at or after the armed time", () => {
    let runs = 0;
    const timer = new WakeTimer(() => runs++);
    timer.schedule(1_000_250);
    timer.schedule(1_000_250);
    timer.schedule(1_002_000);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(249);
    expect(runs).toBe(0);
    vi.advanceTimersByTime(1);
    expect(runs).toBe(1);
    vi.advanceTimersByTime(5_000);
    expect(runs).toBe(1); // the later request was the run's to re-plan, not a timer of its own
    expect(timer.armed).toBe(false);
  });

  it("re-arms for an earlier request", () => {
    const at: number[] = [];
    const timer = new WakeTimer(() => at.push(Date.now()));
    timer.schedule(1_002_000);
    timer.schedule(1_000_100);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(5_000);
    expect(at).toEqual([1_000_100]);
  });

  it("arms again after it ran, and runs at once for a time already past", () => {
    let runs = 0;
    const timer = new WakeTimer(() => runs++);
    timer.schedule(1_000_010);
    vi.advanceTimersByTime(10);
    timer.schedule(Date.now() - 5);
    vi.advanceTimersByTime(0);
    expect(runs).toBe(2);
  });

  it("disarms when what it waited for already went, and arms again for the next request", () => {
    let runs = 0;
    const timer = new WakeTimer(() => runs++);
    timer.schedule(1_000_250);
    timer.cancel();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(runs).toBe(0);
    timer.schedule(Date.now() + 100);
    vi.advanceTimersByTime(100);
    expect(runs).toBe(1);
  });
});
