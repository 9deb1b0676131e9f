/**
 * The composer's counter in characters a person understands. The server's limit is in UTF-8 bytes
 * (700): an "a" costs 1, an "é" 2, most emoji 4. So "characters left" counts how many more of the
 * character just typed still fit, and "too long" counts how many characters must go from the end,
 * each exact for what the limit really allows, instead of "1 bytes too long".
 */
const encoder = new TextEncoder();
const bytesOf = (text: string): number => encoder.encode(text).length;

/** Characters as a person sees them (an emoji with its modifiers is one). */
function characters(text: string): string[] {
  if (typeof Intl !== "undefined" && "Segmenter" in Intl) {
    return [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)].map((s) => s.segment);
  }
  return [...text];
}

/**
 * How many characters are left within `maxBytes` (≥ 0), or how many are too many (< 0), for `text`
 * as it will be sent.
 */
export function charactersLeft(text: string, maxBytes: number): number {
  const used = bytesOf(text);
  const chars = characters(text);
  if (used <= maxBytes) {
    const last = chars[chars.length - 1];
    // More of what is being typed: the last character's size (1 for an empty box).
    const each = last ? Math.max(1, bytesOf(last)) : 1;
    return Math.floor((maxBytes - used) / each);
  }
  let over = 0;
  let bytes = used;
  for (let i = chars.length - 1; i >= 0 && bytes > maxBytes; i--) {
    bytes -= bytesOf(chars[i] ?? "");
    over++;
  }
  return -over;
}

/** "12 characters left", "1 character too many". */
export function budgetText(left: number): string {
  const n = Math.abs(left);
  const noun = n === 1 ? "character" : "characters";
  return left >= 0 ? `${n} ${noun} left` : `${n} ${noun} too many`;
}
