/** The composer's counter speaks in characters, exact for the 700-byte limit. */
import { describe, expect, it } from "vitest";
import { budgetText, charactersLeft } from "../../client/web/src/lib/text-budget.ts";

describe("the composer's character counter", () => {
  it("counts characters of the kind being typed that still fit", () => {
    expect(charactersLeft("a".repeat(650), 700)).toBe(50);
    expect(charactersLeft("é".repeat(300), 700)).toBe(50); // 600 bytes used, 2 each
    expect(charactersLeft("a".repeat(690) + "😀", 700)).toBe(1); // 694 used, 4 each: one more emoji
    expect(charactersLeft("", 700)).toBe(700);
  });

  it("counts the characters to remove from the end when over, never bytes", () => {
    expect(charactersLeft("a".repeat(650) + "é".repeat(30), 700)).toBe(-5); // 710 bytes: five é
    expect(charactersLeft("a".repeat(699) + "👍🏽", 700)).toBe(-1); // one emoji with its skin tone
    expect(charactersLeft("a".repeat(701), 700)).toBe(-1);
  });

  it("says it as a person would", () => {
    expect(budgetText(12)).toBe("12 characters left");
    expect(budgetText(1)).toBe("1 character left");
    expect(budgetText(-1)).toBe("1 character too many");
    expect(budgetText(-5)).toBe("5 characters too many");
  });
});
