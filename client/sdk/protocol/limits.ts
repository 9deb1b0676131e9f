/**
 * Product limits shared by the server and every client. Each is a named constant with its unit and
 * the reason it exists; README "Limits" lists them.
 */

/** Max UTF-8 bytes of a text message: the product brief (WhatsApp-class short messages). */
export const MAX_TEXT_BYTES = 700;
/** Max members of a group, creator included: the product brief. */
export const MAX_GROUP_MEMBERS = 200;
/** Max bytes of one uploaded picture or video: the product brief. */
export const MAX_MEDIA_BYTES = 16 * 1024 * 1024;
/** Max bytes of a JSON REST body; uploads are raw bytes and have their own limit. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;
/** Max bytes of one WebSocket frame from a client; bigger frames get `frame_too_large`. */
export const MAX_FRAME_BYTES = 16 * 1024;
/** Usernames: 3–32 of a-z 0-9 _ . (README "Limits"). */
export const USERNAME_PATTERN = /^[a-z0-9_.]{3,32}$/;
/** Passwords: 8–128 characters (README "Limits"; ASVS minimum length). */
export const MIN_PASSWORD_CHARS = 8;
export const MAX_PASSWORD_CHARS = 128;
/** Display names and group names: long enough for real names, short enough for a chat list row. */
export const MAX_DISPLAY_NAME_CHARS = 64;
/** Profile "about" line, WhatsApp's limit. */
export const MAX_ABOUT_CHARS = 140;
/** A group description, in UTF-8 bytes: a few paragraphs of rules or links, as WhatsApp allows. */
export const MAX_DESCRIPTION_BYTES = 512;
/** The secret part of a group invite token: 128 random bits as lower-case hex. */
export const INVITE_SECRET_HEX_CHARS = 32;
/** Client message ids are opaque to the server; UUIDs fit with room to spare. */
export const MAX_CLIENT_ID_CHARS = 64;
/** Device ids (one per browser profile or app install) and frame ids: opaque, UUIDs fit. */
export const MAX_DEVICE_ID_CHARS = 64;
export const MAX_FRAME_ID_CHARS = 64;
/** Server ids (users, conversations, media): `newId()` makes 22–26 characters; room for prefixes. */
export const MAX_ID_CHARS = 80;
/** A user search query: as long as the longest username (README "Limits"). */
export const MAX_SEARCH_QUERY_CHARS = 32;
/** History page size: n ≤ 100, default 50 (README "Limits"). */
export const MAX_HISTORY_PAGE = 100;
export const DEFAULT_HISTORY_PAGE = 50;
/** User search returns at most this many users (README "Limits"). */
export const MAX_SEARCH_RESULTS = 20;
/** Presence lookups take at most this many ids (README "Limits"). */
export const MAX_PRESENCE_IDS = 200;
/**
 * A device acks what it stored this long after the first event not yet acked arrived (sooner when
 * it reads the chat): every ack is a hub turn, so a busy stream costs a few acks a second and a
 * message read on arrival shares its ack's burst; delivered ticks wait at most this long.
 */
export const ACK_INTERVAL_MS = 250;
/**
 * A frame nobody waits on the ack of — only status ticks, read markers and the user's own messages
 * coming back (no delivered receipt, no pending push) — is acked at most this late, or sooner with
 * the next ack that is not deferred: in a quiet chat that halves the frames a device sends its hub.
 */
export const ACK_DEFERRED_MS = 30_000;
/**
 * Sockets and devices one user may hold at once. Phones, desktops and a few tabs fit well below;
 * past it the oldest socket (or the oldest device's sockets) closes with CLOSE_CODES.replaced, so a
 * runaway client cannot multiply every delivery (each socket gets each event).
 */
export const MAX_SOCKETS_PER_USER = 20;
export const MAX_DEVICES_PER_USER = 10;
/**
 * A typing indicator is relayed at most once per this interval per user and conversation while it
 * stays on ("stopped typing" always passes); the rest are dropped without an answer.
 */
export const TYPING_RELAY_INTERVAL_MS = 2_000;
/** Events replayed per `hello`/`events` page; the client asks again while `more` is true. */
export const MAX_REPLAY_EVENTS = 500;
/** How long a user may delete a message for everyone, by default (configurable per deploy). */
export const DEFAULT_DELETE_FOR_EVERYONE_WINDOW_SECONDS = 48 * 60 * 60;
/** How long the sender may edit a text after sending it: WhatsApp's window, long enough for a typo. */
export const EDIT_WINDOW_SECONDS = 15 * 60;
/** Characters of the original a reply's quote carries: one or two lines of a bubble. */
export const REPLY_SNIPPET_CHARS = 100;
/** Chats one forward may go to at once: WhatsApp's cap against chain-message spam. */
export const MAX_FORWARD_TARGETS = 5;
/** Max UTF-8 bytes of a reaction: one emoji, including ZWJ sequences of a family or a flag. */
export const MAX_REACTION_BYTES = 64;
/** Max bytes of one document (any file type, sent as a file): the product brief. */
export const MAX_DOCUMENT_BYTES = 100 * 1024 * 1024;
/** The disappearing-messages timers a chat may have, in seconds: off, 24 hours, 7 days, 90 days. */
export const DISAPPEARING_TIMERS = [0, 86_400, 604_800, 7_776_000] as const;
/** Messages one alarm removes in one transaction when their time comes (the rest on the next ring). */
export const MAX_EXPIRIES_PER_PASS = 500;
/** Max characters of a document's file name: longer than any file system allows in one component. */
export const MAX_FILENAME_CHARS = 255;
/** Max characters of a report's reason: a sentence or two for the operator. */
export const MAX_REPORT_REASON_CHARS = 500;
/** Messages one report may name: a conversation's worth of context, not its history. */
export const MAX_REPORTED_MESSAGES = 20;
/** A report of a whole chat keeps this many of its latest messages (as the reporter saw them). */
export const REPORT_CONTEXT_MESSAGES = 5;
/** Reports an operator page lists at most. */
export const MAX_REPORTS_PAGE = 100;
