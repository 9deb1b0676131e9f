/**
 * Group commit for receipts: calls that arrive within the window share one apply (one transaction
 * in the conversation), and each still gets its own answer.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Batch } from "../../durable-objects/shared/batch.ts";

describe("Batch", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("applies the calls of one window together and answers each", async () => {
    const applied: number[][] = [];
    const batch = new Batch<number, string>(
      (items) => (applied.push([...items]), items.map((n) => `r${n}`)),
      () => 25,
    );
    const first = batch.add(1);
    await vi.advanceTimersByTimeAsync(10);
    const second = batch.add(2);
    await vi.advanceTimersByTimeAsync(14);
    expect(applied).toEqual([]); // the window is still open
    await vi.advanceTimersByTimeAsync(1);
    expect(applied).toEqual([[1, 2]]);
    expect(await Promise.all([first, second])).toEqual(["r1", "r2"]);
    const third = batch.add(3); // a new window
    await vi.advanceTimersByTimeAsync(25);
    expect(await third).toBe("r3");
    expect(applied).toEqual([[1, 2], [3]]);
  });

  it("rejects every call of a window whose apply threw, and the next window starts clean", async () => {
    let fail = true;
    const batch = new Batch<number, number>(
      (items) => {
        if (fail) throw new Error("write failed");
        return [...items];
      },
      () => 25,
    );
    const a = batch.add(1).catch((e: Error) => e.message);
    const b = batch.add(2).catch((e: Error) => e.message);
    await vi.advanceTimersByTimeAsync(25);
    expect(await Promise.all([a, b])).toEqual(["write failed", "write failed"]);
    fail = false;
    const c = batch.add(3);
    await vi.advanceTimersByTimeAsync(25);
    expect(await c).toBe(3);
  });

  it("applies a call at once, in the caller's turn, when the window is 0 (no timer of its own)", async () => {
    const applied: number[][] = [];
    let fail = false;
    const batch = new Batch<number, string>(
      (items) => {
        if (fail) throw new Error("write failed");
        applied.push([...items]);
        return items.map((n) => `r${n}`);
      },
      () => 0,
    );
    const first = batch.add(1);
    expect(applied).toEqual([[1]]); // before any timer could run
    const second = batch.add(2);
    expect(applied).toEqual([[1], [2]]);
    expect(vi.getTimerCount()).toBe(0);
    expect(await Promise.all([first, second])).toEqual(["r1", "r2"]);
    const together = batch.addAll([3, 4]);
    expect(applied).toEqual([[1], [2], [3, 4]]); // known together: one apply
    expect(await Promise.all(together)).toEqual(["r3", "r4"]);
    fail = true;
    await expect(batch.add(5)).rejects.toThrow("write failed");
  });
});
