/**
 * The server decides what a file is from its first bytes, never from the client's label, and refuses
 * anything that is not the picture or video it claims to be. Also the pure parts of the upload extras
 * (thumbnail, dimensions) and of serving (Range, ETag), which need no runtime.
 */
import { describe, expect, it } from "vitest";
import { MAX_THUMBNAIL_BYTES, UploadMediaQuery } from "../../client/sdk/protocol/media.ts";
import { toBase64 } from "../../lib/bytes.ts";
import { AppError } from "../../lib/errors.ts";
import { mediaExtras, thumbnailFromHeader } from "../../workers/lib/media-extras.ts";
import { etagMatches, parseRange } from "../../workers/lib/http-range.ts";
import {
  checkDeclaredType,
  normaliseContentType,
  sniffMediaType,
  sniffThumbnailType,
} from "../../client/sdk/protocol/media-sniff.ts";
import * as f from "../fixtures/media-files.ts";

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    return error instanceof AppError ? error.code : `non-AppError: ${String(error)}`;
  }
}

describe("sniffing media types from the first bytes", () => {
  it.each([
    ["JPEG", f.jpeg(), "image/jpeg"],
    ["PNG", f.png(), "image/png"],
    ["GIF", f.gif(), "image/gif"],
    ["WebP", f.webp(), "image/webp"],
    ["MP4 (isom)", f.mp4(), "video/mp4"],
    ["MP4 (mp42 major)", f.isoBmff("mp42", ["mp42", "isom"]), "video/mp4"],
    ["MP4 (unknown major, compatible isom)", f.isoBmff("abcd", ["abcd", "isom"]), "video/mp4"],
    ["QuickTime", f.mov(), "video/quicktime"],
    ["WebM", f.webm(), "video/webm"],
  ])("recognises %s", (_name, bytes, type) => {
    expect(sniffMediaType(bytes)).toBe(type);
  });

  it.each([
    ["plain text", f.plainText()],
    ["HTML", f.html()],
    ["SVG", f.svg()],
    ["PDF", f.pdf()],
    ["HEIC still (ISO-BMFF, not video)", f.isoBmff("heic", ["mif1", "heic"])],
    ["M4A audio (ISO-BMFF, not video)", f.isoBmff("M4A ", ["M4A ", "mp42", "isom"])],
    ["3GPP", f.isoBmff("3gp4", ["3gp4", "isom"])],
    ["Matroska (EBML, not WebM)", f.ebml("matroska")],
    ["an empty head", new Uint8Array(0)],
    ["a truncated JPEG magic", new Uint8Array([0xff, 0xd8])],
    ["RIFF that is not WebP (WAV)", new TextEncoder().encode("RIFF\0\0\0\0WAVEfmt ")],
  ])("refuses %s", (_name, bytes) => {
    expect(sniffMediaType(bytes)).toBeNull();
  });
});

describe("checking the declared type against the bytes", () => {
  it("accepts bytes that are what they claim, and answers the sniffed type", () => {
    expect(checkDeclaredType("image/png", f.png())).toEqual({ ok: true, type: "image/png" });
    expect(checkDeclaredType("video/webm", f.webm())).toEqual({ ok: true, type: "video/webm" });
  });

  it("refuses a PNG declared as video/mp4", () => {
    expect(checkDeclaredType("video/mp4", f.png())).toMatchObject({ ok: false });
  });

  it("refuses a text file declared as image/jpeg", () => {
    expect(checkDeclaredType("image/jpeg", f.plainText())).toMatchObject({ ok: false });
  });

  it("refuses HTML and SVG whatever they are declared as", () => {
    for (const declared of ["text/html", "image/svg+xml", "image/jpeg", "image/png"]) {
      expect(checkDeclaredType(declared, f.html()).ok).toBe(false);
      expect(checkDeclaredType(declared, f.svg()).ok).toBe(false);
    }
  });

  it("refuses a missing or unlisted declared type even for good bytes", () => {
    expect(checkDeclaredType(null, f.jpeg()).ok).toBe(false);
    expect(checkDeclaredType("image/jpg", f.jpeg()).ok).toBe(false);
    expect(checkDeclaredType("application/octet-stream", f.mp4()).ok).toBe(false);
  });

  it("treats MP4 and QuickTime as one container family and stores what the bytes are", () => {
    expect(checkDeclaredType("video/mp4", f.mov())).toEqual({ ok: true, type: "video/quicktime" });
    expect(checkDeclaredType("video/quicktime", f.mp4())).toEqual({ ok: true, type: "video/mp4" });
    expect(checkDeclaredType("video/webm", f.mp4()).ok).toBe(false);
  });

  it("normalises a declared Content-Type to its lower-case essence", () => {
    expect(normaliseContentType("Image/JPEG; charset=binary")).toBe("image/jpeg");
    expect(normaliseContentType("  ")).toBeNull();
    expect(normaliseContentType(null)).toBeNull();
  });
});

describe("thumbnails and dimensions", () => {
  it("stores a JPEG or WebP thumbnail as the data URL of exactly the checked bytes", () => {
    const bytes = f.jpeg(600);
    expect(thumbnailFromHeader(toBase64(bytes))).toBe(`data:image/jpeg;base64,${toBase64(bytes)}`);
    expect(thumbnailFromHeader(toBase64(f.webp(600)))).toMatch(/^data:image\/webp;base64,/);
    expect(thumbnailFromHeader(undefined)).toBeUndefined();
    expect(sniffThumbnailType(f.png())).toBeNull();
  });

  it("refuses a thumbnail that is not JPEG/WebP (415), not base64 or too big (400)", () => {
    expect(codeOf(() => thumbnailFromHeader(toBase64(f.png(600))))).toBe("unsupported_media_type");
    expect(codeOf(() => thumbnailFromHeader(toBase64(f.html())))).toBe("unsupported_media_type");
    expect(codeOf(() => thumbnailFromHeader("not base64!"))).toBe("invalid_request");
    expect(codeOf(() => thumbnailFromHeader(toBase64(f.jpeg(MAX_THUMBNAIL_BYTES + 1))))).toBe("invalid_request");
    expect(codeOf(() => thumbnailFromHeader(toBase64(f.jpeg(MAX_THUMBNAIL_BYTES))))).toBeNull();
  });

  it("accepts sane dimensions and durations and refuses the rest", () => {
    expect(UploadMediaQuery.safeParse({ width: "1920", height: "1080", durationMs: "61000" }).data).toEqual({
      width: 1920,
      height: 1080,
      durationMs: 61000,
    });
    expect(UploadMediaQuery.safeParse({}).success).toBe(true);
    for (const bad of [
      { width: "100" },
      { width: "0", height: "10" },
      { width: "16385", height: "10" },
      { width: "1.5", height: "10" },
      { durationMs: String(3 * 60 * 60 * 1000 + 1) },
      { durationMs: "-1" },
      { size: "10" },
    ]) {
      expect(UploadMediaQuery.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("refuses a duration on a picture", () => {
    expect(codeOf(() => mediaExtras("image/png", { durationMs: 1000 }, undefined))).toBe("invalid_request");
    expect(mediaExtras("video/mp4", { durationMs: 1000, width: 2, height: 3 }, undefined)).toEqual({
      durationMs: 1000,
      width: 2,
      height: 3,
    });
  });
});

describe("byte ranges and ETags", () => {
  it("parses the three single-range forms and clamps the end", () => {
    expect(parseRange("bytes=2-5", 10)).toEqual({ offset: 2, length: 4 });
    expect(parseRange("bytes=7-", 10)).toEqual({ offset: 7, length: 3 });
    expect(parseRange("bytes=-4", 10)).toEqual({ offset: 6, length: 4 });
    expect(parseRange("bytes=-40", 10)).toEqual({ offset: 0, length: 10 });
    expect(parseRange("bytes=5-400", 10)).toEqual({ offset: 5, length: 5 });
  });

  it("ignores malformed and multi-range headers, and flags unsatisfiable ones", () => {
    for (const header of [null, "bytes=5-2", "bytes=-", "items=0-1", "bytes=0-1,4-5", "bytes=a-b"]) {
      expect(parseRange(header, 10)).toBeNull();
    }
    expect(parseRange("bytes=10-", 10)).toBe("unsatisfiable");
    expect(parseRange("bytes=-0", 10)).toBe("unsatisfiable");
  });

  it("matches ETags in lists, weakly, and the wildcard", () => {
    expect(etagMatches('"a", "b"', '"b"')).toBe(true);
    expect(etagMatches('W/"b"', '"b"')).toBe(true);
    expect(etagMatches("*", '"b"')).toBe(true);
    expect(etagMatches('"c"', '"b"')).toBe(false);
    expect(etagMatches(null, '"b"')).toBe(false);
  });
});
