/**
 * WhatsApp-style message formatting and links, parsed into a tree the bubble renders as elements
 * (never as HTML: every piece of user text ends up in a text node).
 *
 * - `*bold*`, `_italic_`, `~strike~`: a marker opens at the start or after a space or punctuation and
 *   before a non-space; it closes after a non-space and before the end, a space or punctuation
 *   (so `2*3*4` and `snake_case_name` stay as typed). Formats nest: `*_both_*`.
 * - `` `code` `` and ```` ```code``` ````: monospace, nothing inside is formatted or linked.
 * - Links: `http://`, `https://` and `www.` addresses, without trailing punctuation, an unmatched
 *   `)` or a closing format marker the address does not otherwise use. Only http(s) becomes a link;
 *   markers inside an address are part of it.
 */

export type RichNode =
  | { kind: "text"; text: string }
  | { kind: "link"; text: string; href: string }
  | { kind: "code"; text: string }
  | { kind: "bold" | "italic" | "strike"; children: RichNode[] };

const MARKERS: Record<string, "bold" | "italic" | "strike"> = { "*": "bold", _: "italic", "~": "strike" };
const URL_CANDIDATE = /(?:https?:\/\/|www\.)[^\s<>"]+/giu;
const TRAILING = /[.,!?;:'"…]+$/u;

export interface FoundLink {
  start: number;
  end: number;
  text: string;
  href: string;
}

/** Drops what a sentence adds after an address: punctuation, and a `)` that opens nowhere inside it. */
function trimAddress(raw: string): string {
  let text = raw;
  for (;;) {
    const before = text;
    text = text.replace(TRAILING, "");
    const opens = (text.match(/\(/g) ?? []).length;
    const closes = (text.match(/\)/g) ?? []).length;
    if (text.endsWith(")") && closes > opens) text = text.slice(0, -1);
    // A closing format marker (`*see https://x.org*`), unless the address uses that character itself.
    const last = text.at(-1) ?? "";
    if ("*_~".includes(last) && !text.slice(0, -1).includes(last)) text = text.slice(0, -1);
    if (text === before) return text;
  }
}

/** The http(s) address `text` points at, or null if it is not one. */
export function linkTarget(text: string): string | null {
  const candidate = /^www\./iu.test(text) ? `https://${text}` : text;
  try {
    const url = new URL(candidate);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    if (!url.hostname.includes(".") && url.hostname !== "localhost") return null;
    return url.href;
  } catch {
    return null;
  }
}

/** Every web address in `text`, in order. */
export function findLinks(text: string): FoundLink[] {
  const found: FoundLink[] = [];
  for (const match of text.matchAll(URL_CANDIDATE)) {
    const start = match.index;
    if (start > 0 && /[\p{L}\p{N}]/u.test(text[start - 1] ?? "")) continue; // "xhttp://" is not an address
    const trimmed = trimAddress(match[0]);
    const href = linkTarget(trimmed);
    if (href) found.push({ start, end: start + trimmed.length, text: trimmed, href });
  }
  return found;
}

const isSpace = (c: string | undefined): boolean => c === undefined || /\s/u.test(c);
const isBoundary = (c: string | undefined): boolean => c === undefined || /[\s\p{P}\p{S}]/u.test(c);

function canOpen(s: string, i: number): boolean {
  return isBoundary(s[i - 1]) && !isSpace(s[i + 1]);
}

function canClose(s: string, j: number): boolean {
  return !isSpace(s[j - 1]) && isBoundary(s[j + 1]);
}

/** Plain text with its links. */
function leaves(text: string): RichNode[] {
  const out: RichNode[] = [];
  let at = 0;
  for (const link of findLinks(text)) {
    if (link.start > at) out.push({ kind: "text", text: text.slice(at, link.start) });
    out.push({ kind: "link", text: link.text, href: link.href });
    at = link.end;
  }
  if (at < text.length) out.push({ kind: "text", text: text.slice(at) });
  return out;
}

/** The end of the code span opening at `i` (index after its closing backticks), or -1. */
function codeEnd(s: string, i: number): { fence: number; close: number } | null {
  const fence = s.startsWith("```", i) ? 3 : 1;
  const close = s.indexOf(fence === 3 ? "```" : "`", i + fence);
  if (close <= i + fence) return null;
  if (fence === 1 && s.slice(i + 1, close).includes("\n")) return null;
  return { fence, close };
}

/** Parses a message's text into formatted pieces (see the module comment for the rules). */
export function parseRichText(s: string): RichNode[] {
  const links = findLinks(s);
  const inLink = (i: number) => links.some((l) => i >= l.start && i < l.end);
  const out: RichNode[] = [];
  let plainFrom = 0;
  const flush = (to: number) => {
    if (to > plainFrom) out.push(...leaves(s.slice(plainFrom, to)));
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === "`" && !inLink(i)) {
      const code = codeEnd(s, i);
      if (code) {
        flush(i);
        out.push({ kind: "code", text: s.slice(i + code.fence, code.close) });
        i = code.close + code.fence;
        plainFrom = i;
        continue;
      }
    }
    const kind = MARKERS[c];
    if (kind && !inLink(i) && canOpen(s, i)) {
      let j = i + 2;
      while (j < s.length && !(s[j] === c && !inLink(j) && canClose(s, j))) j++;
      if (j < s.length) {
        flush(i);
        out.push({ kind, children: parseRichText(s.slice(i + 1, j)) });
        i = j + 1;
        plainFrom = i;
        continue;
      }
    }
    i++;
  }
  flush(s.length);
  return out;
}

/** The text a reader sees, without markers (chat list previews, notifications, search). */
export function plainText(nodes: readonly RichNode[]): string {
  return nodes.map((n) => ("children" in n ? plainText(n.children) : n.text)).join("");
}
