/**
 * The objects the server sends: users, conversations, messages, statuses. They are zod schemas so
 * the SDK can `safeParse` what arrives (a client must not trust a server it may be version-skewed
 * against) and TypeScript types are inferred from them, never written twice.
 */
import { z } from "zod";
import { ChatListState } from "./chat-state.ts";

const IsoTime = z.string();

/** The public view of a user (README "REST API"). */
export const User = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  about: z.string(),
  pictureUrl: z.string().nullable(),
  createdAt: IsoTime,
  /** Set once the account was deleted: the profile reads "Deleted account", with no username or picture. */
  deleted: z.literal(true).optional(),
});
export type User = z.infer<typeof User>;

/** What a deleted account's profile shows (its username is free again). */
export const DELETED_ACCOUNT_NAME = "Deleted account";

export const Role = z.enum(["admin", "member"]);
export type Role = z.infer<typeof Role>;
export const ConversationType = z.enum(["direct", "group"]);
export type ConversationType = z.infer<typeof ConversationType>;

export const Media = z.object({
  id: z.string(),
  type: z.string(),
  size: z.number(),
  url: z.string(),
  /** A small inline preview (data: URL), so chat lists render without fetching the file. */
  thumbnail: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  durationMs: z.number().optional(),
  /** A document (any file): its name. It downloads as an attachment, never renders inline. */
  filename: z.string().optional(),
  /** A voice note: loudness levels 0–255 (at most 100) to draw before the audio is fetched. */
  waveform: z.array(z.number()).optional(),
});
export type Media = z.infer<typeof Media>;

/** Membership changes are messages too, so every member sees them in the same order as text. */
export const SystemEvent = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("created"), by: z.string(), name: z.string().optional() }),
  z.object({ kind: z.literal("members_added"), by: z.string(), userIds: z.array(z.string()) }),
  z.object({ kind: z.literal("member_removed"), by: z.string(), userId: z.string() }),
  z.object({ kind: z.literal("member_left"), userId: z.string() }),
  z.object({ kind: z.literal("role_changed"), by: z.string(), userId: z.string(), role: Role }),
  z.object({ kind: z.literal("renamed"), by: z.string(), name: z.string() }),
  /** The group's description changed ("" = removed). */
  z.object({ kind: z.literal("description_changed"), by: z.string(), description: z.string() }),
  /** `userId` joined with the group's invite link. */
  z.object({ kind: z.literal("joined_by_link"), userId: z.string() }),
  /** An admin changed who may send or who may edit the group's info; only the changed ones are present. */
  z.object({
    kind: z.literal("settings_changed"),
    by: z.string(),
    onlyAdminsSend: z.boolean().optional(),
    onlyAdminsEdit: z.boolean().optional(),
  }),
  /** A member of a direct chat or a group admin set the disappearing-messages timer (0 = off). */
  z.object({ kind: z.literal("disappearing_changed"), by: z.string(), seconds: z.number() }),
]);
export type SystemEvent = z.infer<typeof SystemEvent>;

/**
 * The quoted snapshot a reply carries, taken when the reply was sent, so it renders without fetching
 * the original (also from the archive). `snippet` is the first REPLY_SNIPPET_CHARS characters of the
 * text, or null for media only; `mediaType` names the quoted media's kind. `deleted` is true once
 * the original was deleted for everyone (then the snippet is null).
 */
export const ReplyQuote = z.object({
  seq: z.number(),
  senderId: z.string(),
  snippet: z.string().nullable(),
  mediaType: z.string().nullable().optional(),
  deleted: z.boolean(),
});
export type ReplyQuote = z.infer<typeof ReplyQuote>;

/** Who reacted to a message with one emoji: one entry per emoji, `userIds` sorted. */
export const ReactionSummary = z.object({ emoji: z.string(), count: z.number(), userIds: z.array(z.string()) });
export type ReactionSummary = z.infer<typeof ReactionSummary>;

/** One message as every client sees it (README "REST API"). A deleted one keeps its seq, without content. */
export const Message = z.object({
  conversationId: z.string(),
  /** Position in the conversation's single total order: 1, 2, 3, … without gaps. */
  seq: z.number(),
  /** The sender's idempotency key, echoed so the sending device can replace its local echo. */
  clientId: z.string(),
  senderId: z.string(),
  text: z.string().nullable(),
  media: Media.nullable(),
  system: SystemEvent.nullable(),
  sentAt: IsoTime,
  deleted: z.boolean(),
  // The fields below are absent on messages that never had them (and from older servers): absent
  // means null / false / []. Leaving them out keeps ordinary message events as small as before.
  /** The message this one replies to, as a snapshot (./model.ts `ReplyQuote`). */
  replyTo: ReplyQuote.nullable().optional(),
  /** Forwarded from another chat (the original sender is not revealed). */
  forwarded: z.boolean().optional(),
  /** When the sender last edited the text (within EDIT_WINDOW_SECONDS of sending). */
  editedAt: IsoTime.nullable().optional(),
  /** Reactions, one per member: counts and who. */
  reactions: z.array(ReactionSummary).optional(),
  /** Sent while the chat's disappearing timer was on: removed everywhere at this time. */
  expiresAt: IsoTime.nullable().optional(),
});
export type Message = z.infer<typeof Message>;

export const Member = z.object({ userId: z.string(), role: Role, joinedAt: IsoTime });
export type Member = z.infer<typeof Member>;

export const Conversation = z.object({
  id: z.string(),
  type: ConversationType,
  name: z.string().nullable(),
  pictureUrl: z.string().nullable(),
  createdAt: IsoTime,
  members: z.array(Member),
  /** Groups: the description ("" for none). Optional: older servers do not send these three. */
  description: z.string().optional(),
  /** Groups: only admins may send messages. */
  onlyAdminsSend: z.boolean().optional(),
  /** Groups: only admins may change the name, picture and description. */
  onlyAdminsEdit: z.boolean().optional(),
  /** The disappearing-messages timer in seconds (0 = off; DISAPPEARING_TIMERS). Absent from older servers. */
  disappearingSeconds: z.number().optional(),
});
export type Conversation = z.infer<typeof Conversation>;

/**
 * The delivered/read state of the user's own messages in one conversation, as four watermarks over
 * the other members (the `status` event explains them): seq ≤ deliveredAll = delivered to all, etc.
 */
export const StatusWatermarks = z.object({
  deliveredSome: z.number(),
  deliveredAll: z.number(),
  readSome: z.number(),
  readAll: z.number(),
});
export type StatusWatermarks = z.infer<typeof StatusWatermarks>;

/** A chat list row: the user's own view of a conversation. */
export const ConversationSummary = z.object({
  id: z.string(),
  type: ConversationType,
  name: z.string().nullable(),
  /** Direct chats: the other person's id. */
  peerId: z.string().nullable(),
  lastMessage: Message.nullable(),
  unreadCount: z.number(),
  /** Last activity; the list is ordered by it, newest first. */
  updatedAt: IsoTime,
  /** False once the user left or was removed from a group: the chat stays, read-only. */
  active: z.boolean(),
  /**
   * Direct chats: the other person's public profile (as `GET /v1/users/:id`), kept current by
   * `profile` events. Optional: older servers do not send it, and it may be missing when unknown.
   */
  peer: User.nullable().optional(),
  /** The receipt watermarks of the user's own messages here (the `status` event's four numbers). */
  status: StatusWatermarks.optional(),
  /** This user's pinned/archived/muted/unread/deleted state of the chat (README "Chat list state"). */
  listState: ChatListState.optional(),
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

export const Aggregate = z.enum(["none", "some", "all"]);
export type Aggregate = z.infer<typeof Aggregate>;

export const RecipientStatus = z.object({
  userId: z.string(),
  deliveredAt: IsoTime.nullable(),
  readAt: IsoTime.nullable(),
});
export type RecipientStatus = z.infer<typeof RecipientStatus>;

/** The "message info" screen (README "REST API"). */
export const MessageStatus = z.object({
  seq: z.number(),
  sentAt: IsoTime,
  delivered: Aggregate,
  read: Aggregate,
  recipients: z.array(RecipientStatus),
});
export type MessageStatus = z.infer<typeof MessageStatus>;

export const Presence = z.object({
  userId: z.string(),
  online: z.boolean(),
  lastSeenAt: IsoTime.nullable(),
});
export type Presence = z.infer<typeof Presence>;

/** My privacy settings (`GET`/`PUT /v1/me/privacy`; README "Privacy"). */
export const Privacy = z.object({
  presence: z.enum(["everyone", "contacts", "nobody"]),
  /** Optional: servers before read-receipt privacy do not send it (then it is on). */
  readReceipts: z.boolean().optional(),
  /**
   * Who sees my profile picture and about: everyone, people I have a direct chat with, or nobody.
   * Optional: servers before profile privacy do not send it (then it is everyone).
   */
  profile: z.enum(["everyone", "contacts", "nobody"]).optional(),
});
export type Privacy = z.infer<typeof Privacy>;

/**
 * A report as the operator sees it (README "Reports"): who reported whom or which chat, why, and
 * the messages as the reporter saw them when reporting.
 */
export const Report = z.object({
  id: z.string(),
  reporterId: z.string(),
  userId: z.string().nullable(),
  conversationId: z.string().nullable(),
  reason: z.string(),
  messages: z.array(Message),
  createdAt: IsoTime,
  resolvedAt: IsoTime.nullable(),
  resolution: z.enum(["dismissed", "actioned"]).nullable(),
  note: z.string().nullable(),
});
export type Report = z.infer<typeof Report>;

/** A group's invite link (admins; README "Invite links"): a new token each time one is made. */
export const Invite = z.object({ token: z.string(), url: z.string() });
export type Invite = z.infer<typeof Invite>;

/** What an invite link shows before joining. */
export const InvitePreview = z.object({
  name: z.string(),
  pictureUrl: z.string().nullable(),
  memberCount: z.number(),
});
export type InvitePreview = z.infer<typeof InvitePreview>;

/** One signed-in device of mine (`GET /v1/me/sessions`). */
export const Session = z.object({
  id: z.string(),
  /** From the device's User-Agent at login: "Chrome on Linux". */
  device: z.string(),
  createdAt: IsoTime,
  /** When it last connected (opened its WebSocket) or logged in. */
  lastActiveAt: IsoTime,
  /** The session making this request. */
  current: z.boolean(),
});
export type Session = z.infer<typeof Session>;
