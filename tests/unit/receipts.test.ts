import { describe, expect, it } from "vitest";
import { viewFor, viewsFor, type MemberMarks } from "../../durable-objects/conversation/receipts.ts";

describe("receipt views", () => {
  it("computes every member's view in one pass exactly as one at a time", () => {
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(Math.random() * 30);
      const marks: MemberMarks[] = Array.from({ length: n }, (_, i) => {
        const read = Math.floor(Math.random() * 10);
        return { userId: `u${i}`, read, delivered: read + Math.floor(Math.random() * 3) };
      });
      const all = viewsFor(marks);
      for (const m of marks) expect(all.get(m.userId)).toEqual(viewFor(m.userId, marks));
    }
  });
});
