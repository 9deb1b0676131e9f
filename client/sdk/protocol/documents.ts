/**
 * Documents: any file up to MAX_DOCUMENT_BYTES, uploaded through `POST /v1/media?filename=…` and
 * always downloaded as an attachment (README "REST API"). The bytes are never sniffed into a media
 * type; the type they are served with is the declared one when it is on the list below (types a
 * browser only ever saves or hands to another app), else `application/octet-stream`, so an upload
 * labelled `text/html` or `image/svg+xml` can never be rendered on the app's origin.
 */
import { MAX_FILENAME_CHARS } from "./limits.ts";
import { cleanString } from "./strings.ts";

/** Declared types a document keeps when served (with `Content-Disposition: attachment`). */
export const DOCUMENT_TYPES = [
  "application/pdf",
  "application/zip",
  "application/msword",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.ms-excel",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.ms-powerpoint",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.spreadsheet",
  "text/plain",
  "text/csv",
] as const;

/** The type a document is stored and served with: the declared one if listed, else octet-stream. */
export function documentType(declared: string | null): string {
  return declared !== null && (DOCUMENT_TYPES as readonly string[]).includes(declared)
    ? declared
    : "application/octet-stream";
}

/** A document's file name as uploaded: clean, one path component (no `/` or `\`), at most 255 characters. */
export const Filename = cleanString()
  .min(1)
  .max(MAX_FILENAME_CHARS)
  .refine((s) => !/[/\\]/.test(s) && s.trim() !== "" && s !== "." && s !== "..", "a file name, without a path");
