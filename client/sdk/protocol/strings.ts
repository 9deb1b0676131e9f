/**
 * The string types every client-supplied string is built from. One rule for all of them, at the edge:
 * no C0/C1 control characters (U+0000–U+001F, U+007F–U+009F) and no lone UTF-16 surrogates. Postgres
 * refuses U+0000 in `text` outright (one NUL in a message would wedge its conversation's archive
 * forever) and the others have no business in a name, an id or a query. Message texts alone may
 * carry `\n` and `\t`.
 *
 * Names people read (display names, group names, about) are held to more: at least one visible
 * character, and no bidirectional overrides or isolates (U+202A–U+202E, U+2066–U+2069), which
 * can make a name read as someone else's or flip the text around it. Usernames already allow only
 * `a-z 0-9 _ .`.
 *
 * A refused string is `invalid_request` like any other validation failure.
 */
import { z } from "zod";

/** C0 and C1 controls, DEL, and UTF-16 surrogates that are not part of a pair (the `u` flag pairs them). */
const CONTROL_OR_LONE_SURROGATE = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/u;
/** The same, except `\t` (U+0009) and `\n` (U+000A): what a multi-line message may carry. */
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ud800-\udfff]/u;
/** Bidirectional embeddings/overrides (U+202A–U+202E) and isolates (U+2066–U+2069). */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/u;
/**
 * Characters that draw nothing: white space, default-ignorable code points (zero-width space and
 * joiners, word joiner, BOM, soft hyphen, Hangul fillers, variation selectors, tags…) and the blank
 * Braille pattern, a favourite for "empty" names.
 */
const INVISIBLE = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

const CONTROL_MESSAGE = "control characters are not allowed";

/** True when `s` has no control character (and no lone surrogate); `\n` and `\t` pass when `multiline`. */
export function isCleanString(s: string, multiline = false): boolean {
  return !(multiline ? CONTROL_IN_TEXT : CONTROL_OR_LONE_SURROGATE).test(s);
}

/** True when `s` contains at least one character that draws something. */
export function hasVisibleCharacter(s: string): boolean {
  return !INVISIBLE.test(s);
}

/** True when `s` contains a bidirectional override or isolate. */
export function hasBidiControl(s: string): boolean {
  return BIDI_CONTROL.test(s);
}

/** A single-line string from a client: ids, names, queries, endpoints. Chain `.min()`/`.max()` on it. */
export const cleanString = () => z.string().refine((s) => isCleanString(s), CONTROL_MESSAGE);

/** A message text: like `cleanString`, but `\n` and `\t` are allowed. */
export const cleanText = () => z.string().refine((s) => isCleanString(s, true), CONTROL_MESSAGE);

/**
 * A name people read (display name, group name), trimmed, 1–`maxChars` characters: clean, with a
 * visible character, without bidi controls.
 */
export const humanName = (maxChars: number) =>
  cleanString()
    .trim()
    .min(1)
    .max(maxChars)
    .refine(hasVisibleCharacter, "must contain a visible character")
    .refine((s) => !hasBidiControl(s), "bidirectional control characters are not allowed");

/** Free text people read on one line (about): may be empty (cleared), else as `humanName`. */
export const humanLine = (maxChars: number) =>
  cleanString()
    .max(maxChars)
    .refine((s) => s.length === 0 || hasVisibleCharacter(s), "must be empty or contain a visible character")
    .refine((s) => !hasBidiControl(s), "bidirectional control characters are not allowed");
