/**
 * "Export my data" (README "Exporting my data"): `POST /v1/me/export` starts an archive in the
 * background and answers 202 `{ export: { id, status } }`; `GET /v1/me/export/:id` answers 202 with
 * the same shape while it is being prepared and 200 with the archive (a JSON attachment) once it is
 * ready. Only the owner can read it: any other id is 404.
 */
import { z } from "zod";
import { ConversationSummary, Message, User } from "./model.ts";

/** `preparing` until the archive is written; `failed` if it could not be (start a new one). */
export const ExportStatus = z.enum(["preparing", "ready", "failed"]);
export type ExportStatus = z.infer<typeof ExportStatus>;

export const DataExport = z.object({ id: z.string(), status: ExportStatus });
export type DataExport = z.infer<typeof DataExport>;

/** The 202 answer of both export routes. */
export const ExportAnswer = z.object({ export: DataExport });

/** The archive's `format` and `version`: a reader checks them before anything else. */
export const EXPORT_FORMAT = "messenger-export";
export const EXPORT_VERSION = 1;

/**
 * The archive: my profile (as `GET /v1/me`), my chats list (as `GET /v1/conversations`) and, per chat,
 * every message I can see, oldest first, exactly as `GET /v1/conversations/:id/messages` answers
 * them (a message with media carries the same `media.url`).
 */
export const DataArchive = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.string(),
  user: User,
  conversations: z.array(z.object({ conversation: ConversationSummary, messages: z.array(Message) })),
});
export type DataArchive = z.infer<typeof DataArchive>;
