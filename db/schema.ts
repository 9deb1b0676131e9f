/**
 * Postgres schema. Every shard has every table; `db/shards.ts` decides which shard holds a row:
 *
 * | table        | shard key                  | why                                              |
 * |--------------|----------------------------|--------------------------------------------------|
 * | users        | user id                    | a profile read touches one shard                  |
 * | credentials  | user id                    | beside the user it belongs to                     |
 * | sessions     | user id (the token's `sub`)| revocation check touches one shard                |
 * | usernames    | lower(username)            | uniqueness is one primary key on one shard, so a  |
 * |              |                            | registration race has exactly one winner          |
 * | messages     | conversation id            | a history page touches one shard                  |
 * | media        | media id                   | a download's lookup touches one shard             |
 * | media_refs   | media id                   | beside its media row, so counting the references  |
 * |              |                            | and deleting at zero is one transaction           |
 * | reports      | report id                  | resolving one touches one shard; the operator's   |
 * |              |                            | list is rare and fans out to all shards           |
 */
import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

export const users = pgTable("users", {
  id: text("id").primaryKey(),
  username: text("username").notNull(),
  displayName: text("display_name").notNull(),
  about: text("about").notNull().default(""),
  pictureMediaId: text("picture_media_id"),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  /**
   * Set when the account was deleted (README "Deleting an account"): the row stays so others' chats
   * still name someone, as "Deleted account" with no username, about or picture.
   */
  deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
  /** Who sees the picture and about (README "Privacy"): carried with every profile read, cached with it. */
  profileVisibility: text("profile_visibility", { enum: ["everyone", "contacts", "nobody"] })
    .notNull()
    .default("everyone"),
});

export const credentials = pgTable("credentials", {
  userId: text("user_id").primaryKey(),
  /**
   * `argon2id$v=19$m=…,t=…,p=…,k=<pepper id>$<salt b64>$<hash b64>`, or the older
   * `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>` (replaced at login): the parameters travel with the hash.
   */
  passwordHash: text("password_hash").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    /** What the device calls itself, from its User-Agent at login ("Chrome on Linux"); "" if unknown. */
    device: text("device").notNull().default(""),
    /** When the session last opened a WebSocket (its ticket), or logged in. */
    lastActiveAt: timestamp("last_active_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** The username directory: one row per username, on the shard of its lower-cased name. */
export const usernames = pgTable(
  "usernames",
  {
    usernameLower: text("username_lower").primaryKey(),
    userId: text("user_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  // text_pattern_ops makes `LIKE 'prefix%'` an index range scan whatever the collation.
  (t) => [index("usernames_prefix_idx").using("btree", sql`${t.usernameLower} text_pattern_ops`)],
);

/**
 * The durable message history, archived from each Conversation DO's outbox in batches
 * (upsert on conversation + seq, so a retried batch changes nothing).
 */
export const messages = pgTable(
  "messages",
  {
    conversationId: text("conversation_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    clientId: text("client_id").notNull(),
    senderId: text("sender_id").notNull(),
    text: text("text"),
    media: jsonb("media"),
    system: jsonb("system"),
    sentAt: timestamp("sent_at", { withTimezone: true, mode: "date" }).notNull(),
    deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
    /** Bumped by every archive write so a late, older batch never overwrites a newer state. */
    version: integer("version").notNull().default(0),
    /** A reply's quoted snapshot (`ReplyQuote` without `deleted`: a page joins the original's row). */
    replyTo: jsonb("reply_to"),
    /** The seq `replyTo` quotes, for that join. */
    replyToSeq: bigint("reply_to_seq", { mode: "number" }),
    forwarded: boolean("forwarded").notNull().default(false),
    editedAt: timestamp("edited_at", { withTimezone: true, mode: "date" }),
    /** Disappearing messages: removed at this time (pages skip it already; the object deletes the row). */
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.seq] })],
);

/**
 * One uploaded picture or video. The bytes live in R2 under `r2Key` (random, never the id); this row
 * is what a download authorises and serves from. `deletedAt` set = gone for everyone (the R2 object
 * is deleted right after), and every lookup treats the row as missing.
 */
export const media = pgTable(
  "media",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    r2Key: text("r2_key").notNull(),
    /** The sniffed type, served as Content-Type. */
    type: text("type").notNull(),
    size: integer("size").notNull(),
    /** Lower-case hex SHA-256 of the bytes; also the download's ETag. */
    sha256: text("sha256").notNull(),
    /** `data:image/jpeg|webp;base64,…`, at most a few KB, made by the client. */
    thumbnail: text("thumbnail"),
    width: integer("width"),
    height: integer("height"),
    durationMs: integer("duration_ms"),
    /** Documents only: the file name it was uploaded with (downloads use it, as an attachment). */
    filename: text("filename"),
    /** Voice notes only: the loudness preview (≤ 100 levels 0–255). */
    waveform: jsonb("waveform"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /**
     * Last time the owner was allowed to send it (a send may still be on its way to a conversation)
     * and last time a reference arrived. Deletion at zero references waits while the first is newer:
     * see MediaStore.removeRef.
     */
    lastSendAt: timestamp("last_send_at", { withTimezone: true, mode: "date" }),
    lastRefAt: timestamp("last_ref_at", { withTimezone: true, mode: "date" }),
    deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
    /**
     * Set once the media became a profile or group picture (MediaStore.claimForPicture). A picture is
     * in use without any `media_refs` row (the user row or the group's Durable Object names it), so
     * the sweep of unreferenced uploads (workers/jobs/media-sweep.ts) never touches a pinned row.
     */
    pinnedAt: timestamp("pinned_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    // Per-owner listing: quota checks.
    index("media_owner_idx").on(t.ownerId, t.createdAt),
    // The sweep's candidates, oldest first: live, unpinned media that never received a reference.
    // Partial, so media that was sent (last_ref_at set) or is a picture never enters it: the sweep's
    // scan stays proportional to the unsent uploads, not to all media ever stored.
    index("media_unsent_idx")
      .on(t.createdAt)
      .where(sql`${t.deletedAt} IS NULL AND ${t.lastRefAt} IS NULL AND ${t.pinnedAt} IS NULL`),
    // Tombstones (deleted_at set) whose bytes and row the sweep still has to remove.
    index("media_tombstone_idx")
      .on(t.deletedAt)
      .where(sql`${t.deletedAt} IS NOT NULL`),
  ],
);

/**
 * A multipart upload in progress (workers/routes/uploads.ts): its R2 multipart upload, its owner, the
 * parts stored so far (part number → R2 etag) and, once the first part was sniffed, the type to
 * store. The row goes when the upload completes (a `media` row takes over) or is aborted; the media
 * sweep aborts the ones left older than a day.
 */
export const mediaUploads = pgTable(
  "media_uploads",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    r2Key: text("r2_key").notNull(),
    r2UploadId: text("r2_upload_id").notNull(),
    /** Documents only: the file name (the upload is then any type, served as an attachment). */
    filename: text("filename"),
    /** The declared Content-Type at creation. */
    declaredType: text("declared_type"),
    /** The type the first part's bytes allow (sniffed for pictures and videos); null until then. */
    type: text("type"),
    size: bigint("size", { mode: "number" }).notNull(),
    partSize: integer("part_size").notNull(),
    /** `{ "<part>": "<etag>" }` of the parts R2 has. */
    parts: jsonb("parts").notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("media_uploads_created_idx").on(t.createdAt)],
);

/** Which messages carry a media (one row per conversation + seq); the media is deleted at zero rows. */
export const mediaRefs = pgTable(
  "media_refs",
  {
    mediaId: text("media_id").notNull(),
    conversationId: text("conversation_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.mediaId, t.conversationId, t.seq] })],
);

/**
 * What users reported (README "Reports"), for an operator: who reported whom or which chat, why,
 * and the reported messages as the reporter saw them (`messages`, the protocol's `Message[]`), kept
 * even if they are deleted or edited later.
 */
export const reports = pgTable(
  "reports",
  {
    id: text("id").primaryKey(),
    reporterId: text("reporter_id").notNull(),
    userId: text("user_id"),
    conversationId: text("conversation_id"),
    reason: text("reason").notNull(),
    messages: jsonb("messages").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true, mode: "date" }),
    resolution: text("resolution", { enum: ["dismissed", "actioned"] }),
    note: text("note"),
  },
  // The operator's queue, newest first per status: open reports are a small partial index.
  (t) => [
    index("reports_open_idx")
      .on(t.createdAt)
      .where(sql`${t.resolvedAt} IS NULL`),
    index("reports_created_idx").on(t.createdAt),
  ],
);
