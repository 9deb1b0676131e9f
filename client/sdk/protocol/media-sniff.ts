/**
 * What a file really is, from its first bytes. The client's `Content-Type` is a claim: a page that
 * uploads HTML labelled `image/jpeg` must not get it stored, and a PNG labelled `video/mp4` would
 * break every player that trusts our type. So each upload's head is matched against the magic
 * numbers of the allowed formats, and the declared type must agree with what was found.
 *
 * Pure functions (no runtime APIs), so Node unit tests cover them exhaustively.
 */
import { isMediaType, type MediaType, type ThumbnailType } from "./media.ts";

/**
 * Bytes of the head to look at. Enough for an MP4 `ftyp` box with its compatible brands and a WebM
 * EBML header with its DocType; every format here is decided within it.
 */
export const SNIFF_BYTES = 256;

const ascii = (bytes: Uint8Array, start: number, length: number): string =>
  start + length > bytes.length ? "" : String.fromCharCode(...bytes.subarray(start, start + length));

const startsWith = (bytes: Uint8Array, magic: readonly number[]): boolean =>
  bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);

/** ISO-BMFF brands of MP4 video (ISO 14496-12/14, Apple M4V, DASH, Microsoft/Sony variants). */
const MP4_BRANDS = new Set([
  "isom",
  "iso2",
  "iso3",
  "iso4",
  "iso5",
  "iso6",
  "iso7",
  "iso8",
  "iso9",
  "mp41",
  "mp42",
  "avc1",
  "M4V ",
  "M4VP",
  "dash",
  "mmp4",
  "msnv",
  "MSNV",
  "XAVC",
  "f4v ",
]);
const QUICKTIME_BRAND = "qt  ";
/** Major brands of ISO-BMFF files that are not video (HEIF/AVIF stills, M4A audio, 3GPP): never MP4. */
const NOT_VIDEO_BRANDS = new Set([
  "heic",
  "heix",
  "hevc",
  "mif1",
  "msf1",
  "avif",
  "avis",
  "M4A ",
  "M4B ",
  "M4P ",
  "crx ",
]);

/** MP4 or QuickTime from an `ftyp` box (major brand first, then compatible brands), else null. */
function sniffIsoBmff(head: Uint8Array): MediaType | null {
  if (ascii(head, 4, 4) !== "ftyp") return null;
  const major = ascii(head, 8, 4);
  if (major === QUICKTIME_BRAND) return "video/quicktime";
  if (MP4_BRANDS.has(major)) return "video/mp4";
  if (NOT_VIDEO_BRANDS.has(major) || major.startsWith("3g")) return null;
  // Unknown major brand: decide by the compatible brands listed in the (declared, head-bounded) box.
  const boxSize = ((head[0] ?? 0) << 24) | ((head[1] ?? 0) << 16) | ((head[2] ?? 0) << 8) | (head[3] ?? 0);
  const end = Math.min(boxSize >>> 0, head.length);
  for (let at = 16; at + 4 <= end; at += 4) {
    const brand = ascii(head, at, 4);
    if (brand === QUICKTIME_BRAND) return "video/quicktime";
    if (MP4_BRANDS.has(brand)) return "video/mp4";
  }
  return null;
}

/**
 * WebM from an EBML header whose DocType element (ID 0x4282) says "webm". Matroska (`matroska`) and
 * anything unreadable in the head are not WebM.
 */
function sniffWebm(head: Uint8Array): MediaType | null {
  if (!startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return null;
  for (let at = 4; at + 2 < head.length; at++) {
    if (head[at] !== 0x42 || head[at + 1] !== 0x82) continue;
    // The size is an EBML variable-length integer; DocType values are short, so 1 or 2 bytes.
    const first = head[at + 2] ?? 0;
    let size: number;
    let start: number;
    if (first & 0x80) {
      size = first & 0x7f;
      start = at + 3;
    } else if (first & 0x40) {
      size = ((first & 0x3f) << 8) | (head[at + 3] ?? 0);
      start = at + 4;
    } else {
      return null;
    }
    return ascii(head, start, size).replace(/\0+$/, "") === "webm" ? "video/webm" : null;
  }
  return null;
}

/**
 * The allowed type these bytes are, from the first SNIFF_BYTES (fewer is fine), or null for
 * anything else: text, HTML, SVG, PDF, archives, HEIC, audio, Matroska, truncated heads.
 */
export function sniffMediaType(head: Uint8Array): MediaType | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  const gif = ascii(head, 0, 6);
  if (gif === "GIF87a" || gif === "GIF89a") return "image/gif";
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 4) === "WEBP") return "image/webp";
  return sniffIsoBmff(head) ?? sniffWebm(head);
}

/**
 * The declared `Content-Type` reduced to its essence: `Image/JPEG; charset=x` → `image/jpeg`.
 * Returns null when absent or empty.
 */
export function normaliseContentType(header: string | null | undefined): string | null {
  const essence = (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return essence === "" ? null : essence;
}

/**
 * MP4 and QuickTime are one container family (ISO-BMFF): players read both, and the same file is
 * labelled either way depending on the app that saved it. A claim of one matching bytes of the other
 * is accepted, and the sniffed type is what gets stored and served.
 */
function sameFamily(declared: MediaType, actual: MediaType): boolean {
  if (declared === actual) return true;
  const isoBmff = (t: MediaType) => t === "video/mp4" || t === "video/quicktime";
  return isoBmff(declared) && isoBmff(actual);
}

export type TypeCheck = { ok: true; type: MediaType } | { ok: false; reason: string };

/**
 * Checks a declared type against the bytes. `declared` must be an allowed type (see
 * `normaliseContentType`); the head must sniff as that type (or its container family).
 * The answer's `type` is the one to store: the sniffed one.
 */
export function checkDeclaredType(declared: string | null, head: Uint8Array): TypeCheck {
  if (declared === null) return { ok: false, reason: "Content-Type is required" };
  if (!isMediaType(declared)) return { ok: false, reason: `${declared} is not an accepted media type` };
  const actual = sniffMediaType(head);
  if (actual === null) return { ok: false, reason: `the bytes are not ${declared}` };
  if (!sameFamily(declared, actual)) return { ok: false, reason: `declared ${declared}, but the bytes are ${actual}` };
  return { ok: true, type: actual };
}

/** The thumbnail's type if the bytes are a JPEG or WebP image, else null. */
export function sniffThumbnailType(bytes: Uint8Array): ThumbnailType | null {
  const type = sniffMediaType(bytes);
  return type === "image/jpeg" || type === "image/webp" ? type : null;
}
