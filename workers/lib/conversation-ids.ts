/**
 * Conversation ids. A direct chat's id is derived from its two members, so opening it twice (or
 * from both sides at once) reaches the same Durable Object without a lookup or a race.
 */
import { newId } from "../../lib/ids.ts";

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

function base32(bytes: Uint8Array, chars: number): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

export async function directConversationId(a: string, b: string): Promise<string> {
  const [first, second] = a < b ? [a, b] : [b, a];
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`direct\n${first}\n${second}`));
  return `d_${base32(new Uint8Array(digest), 32)}`;
}

export function groupConversationId(): string {
  return newId("g");
}
