/**
 * REST bodies and answers (README "REST API"). Request schemas are strict: unknown fields are refused with
 * `invalid_request`, so a client that thinks it can set `senderId` or `role` learns it cannot.
 */
import { z } from "zod";
import type { IssueParams } from "./errors.ts";
import {
  DEFAULT_DELETE_FOR_EVERYONE_WINDOW_SECONDS,
  MAX_ABOUT_CHARS,
  MAX_CLIENT_ID_CHARS,
  MAX_DESCRIPTION_BYTES,
  INVITE_SECRET_HEX_CHARS,
  MAX_DISPLAY_NAME_CHARS,
  MAX_GROUP_MEMBERS,
  MAX_HISTORY_PAGE,
  MAX_ID_CHARS,
  MAX_MEDIA_BYTES,
  MAX_PASSWORD_CHARS,
  MAX_PRESENCE_IDS,
  MAX_REPORT_REASON_CHARS,
  MAX_REPORTED_MESSAGES,
  MAX_REPORTS_PAGE,
  MAX_SEARCH_QUERY_CHARS,
  MAX_TEXT_BYTES,
  MIN_PASSWORD_CHARS,
  USERNAME_PATTERN,
} from "./limits.ts";
import { DisappearingSeconds } from "./disappearing.ts";
import { cleanString, cleanText, humanLine, humanName } from "./strings.ts";
import { isCommonPassword, isRepeatedCharacter } from "./weak-passwords.ts";

/** Opaque ids are printable ASCII without separators; MAX_ID_CHARS covers every id we mint. */
export const Id = z.string().regex(new RegExp(`^[A-Za-z0-9_-]{1,${MAX_ID_CHARS}}$`), "malformed id");
/** `seq` is the per-conversation message number, 1, 2, 3, … */
export const Seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** Query strings carry numbers as text. */
export const SeqParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

const Username = cleanString()
  .transform((s) => s.toLowerCase())
  .pipe(z.string().regex(USERNAME_PATTERN, "3–32 of a-z 0-9 _ ."));
const rightLength = (p: string) => p.length >= MIN_PASSWORD_CHARS && p.length <= MAX_PASSWORD_CHARS;
/** A new password: long enough, clean, and not one of the first guesses (`weak_password`). */
const Password = cleanString()
  .min(MIN_PASSWORD_CHARS)
  .max(MAX_PASSWORD_CHARS)
  // Only a password of an acceptable length is judged: a too-long one is invalid_request, not weak.
  .refine((p) => !rightLength(p) || !isRepeatedCharacter(p), {
    message: "a password cannot be one character repeated",
    params: { code: "weak_password" } satisfies IssueParams,
  })
  .refine((p) => !rightLength(p) || !isCommonPassword(p), {
    message: "this is one of the most common passwords; choose another",
    params: { code: "weak_password" } satisfies IssueParams,
  });
const DisplayName = humanName(MAX_DISPLAY_NAME_CHARS);
const utf8 = new TextEncoder();
/** UTF-8 never takes fewer bytes than UTF-16 units, so a long string is refused without encoding it. */
const fitsTextBytes = (s: string) => s.length <= MAX_TEXT_BYTES && utf8.encode(s).length <= MAX_TEXT_BYTES;

/**
 * A message text: clean (`\n` and `\t` allowed), at most MAX_TEXT_BYTES of UTF-8. Too long is
 * `message_too_large` (413), not `invalid_request`, however long.
 */
export const MessageText = cleanText()
  .min(1)
  .refine(fitsTextBytes, {
    message: `text is over ${MAX_TEXT_BYTES} bytes of UTF-8`,
    params: { code: "message_too_large" } satisfies IssueParams,
  });
/**
 * A text inside a WebSocket `send` frame: clean and non-empty; the frame limit bounds its size and
 * the conversation answers `message_too_large` over MAX_TEXT_BYTES.
 */
export const FrameText = cleanText().min(1);

/**
 * Ids of people to put in a group. More distinct ids than a group can hold is `group_full` (409),
 * like a group that would grow past it; the JSON body limit bounds the array.
 */
const GroupMemberIds = (min: number) =>
  z
    .array(z.lazy(() => Id))
    .min(min)
    .refine((ids) => new Set(ids).size <= MAX_GROUP_MEMBERS, {
      message: `a group has at most ${MAX_GROUP_MEMBERS} members`,
      params: { code: "group_full" } satisfies IssueParams,
    });

// ---- accounts and profiles --------------------------------------------------------------------

export const RegisterBody = z.strictObject({
  username: Username,
  password: Password,
  displayName: DisplayName,
});
export type RegisterBody = z.infer<typeof RegisterBody>;

/**
 * Login checks no password rules beyond a bound: it is only hashed and compared, and an account made
 * before a rule existed must still get in.
 */
export const LoginBody = z.strictObject({
  username: cleanString().max(64),
  password: z.string().max(MAX_PASSWORD_CHARS),
});
export type LoginBody = z.infer<typeof LoginBody>;

/** `POST /v1/me/password`: the current password (only compared, like login) and a new one (the rules of registration). */
export const ChangePasswordBody = z.strictObject({
  currentPassword: z.string().max(MAX_PASSWORD_CHARS),
  newPassword: Password,
});
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

/**
 * `POST /v1/reports` (README "Reports"): a person, a chat, or messages of a chat (`seqs`, which need
 * `conversationId`), with the reporter's reason. At least one of `userId` and `conversationId`.
 */
export const ReportBody = z
  .strictObject({
    userId: Id.optional(),
    conversationId: Id.optional(),
    seqs: z.array(Seq).min(1).max(MAX_REPORTED_MESSAGES).optional(),
    reason: humanLine(MAX_REPORT_REASON_CHARS).refine((r) => r.length > 0, "a reason is required"),
  })
  .refine((b) => b.userId !== undefined || b.conversationId !== undefined, "name a user or a conversation")
  .refine((b) => b.seqs === undefined || b.conversationId !== undefined, "seqs need a conversationId");
export type ReportBody = z.infer<typeof ReportBody>;

/** `GET /v1/operator/reports?status=open|resolved&limit=`: newest first. */
export const OperatorReportsQuery = z.strictObject({
  status: z.enum(["open", "resolved"]).default("open"),
  limit: z.coerce.number().int().min(1).max(MAX_REPORTS_PAGE).default(50),
});

/** `POST /v1/operator/reports/:id/resolve`: what the operator decided, and a note for the record. */
export const ResolveReportBody = z.strictObject({
  resolution: z.enum(["dismissed", "actioned"]),
  note: humanLine(MAX_REPORT_REASON_CHARS).optional(),
});
export type ResolveReportBody = z.infer<typeof ResolveReportBody>;

/** `DELETE /v1/me`: the account's password confirms an irreversible deletion. */
export const DeleteAccountBody = z.strictObject({ password: z.string().max(MAX_PASSWORD_CHARS) });
export type DeleteAccountBody = z.infer<typeof DeleteAccountBody>;

/** `DELETE /v1/me/sessions?others=true`: the flag is required, so a bare DELETE ends nothing by accident. */
export const EndOtherSessionsQuery = z.strictObject({ others: z.literal("true") });

export const UpdateMeBody = z
  .strictObject({
    displayName: DisplayName.optional(),
    about: humanLine(MAX_ABOUT_CHARS).optional(),
    pictureMediaId: Id.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "nothing to update");
export type UpdateMeBody = z.infer<typeof UpdateMeBody>;

export const UserSearchQuery = z.strictObject({
  q: cleanString()
    .min(1)
    .max(MAX_SEARCH_QUERY_CHARS)
    .transform((s) => s.toLowerCase()),
});

// ---- conversations and messages --------------------------------------------------------------

export const CreateConversationBody = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("direct"), userId: Id }),
  z.strictObject({
    type: z.literal("group"),
    name: DisplayName,
    memberIds: GroupMemberIds(0),
    pictureMediaId: Id.optional(),
  }),
]);
export type CreateConversationBody = z.infer<typeof CreateConversationBody>;

export const ClientId = cleanString().min(1).max(MAX_CLIENT_ID_CHARS);

/** A forward carries the original's content and nothing of its own. */
export const forwardAlone = (b: { text?: string; mediaId?: string; replyTo?: number; forwardOf?: unknown }) =>
  b.forwardOf === undefined || (b.text === undefined && b.mediaId === undefined && b.replyTo === undefined);
const hasContent = (b: { text?: string; mediaId?: string; forwardOf?: unknown }) =>
  b.text !== undefined || b.mediaId !== undefined || b.forwardOf !== undefined;

export const SendMessageBody = z
  .strictObject({
    clientId: ClientId,
    text: MessageText.optional(),
    mediaId: Id.optional(),
    /** Reply to the message at this seq in the same conversation (404 when the caller cannot see it). */
    replyTo: Seq.optional(),
    /** Forward a message the caller can see, from any of their chats (404 otherwise). */
    forwardOf: z.strictObject({ conversationId: Id, seq: Seq }).optional(),
  })
  .refine(hasContent, "text, mediaId or forwardOf is required")
  .refine(forwardAlone, "a forward takes no text, mediaId or replyTo");
export type SendMessageBody = z.infer<typeof SendMessageBody>;

export const HistoryQuery = z.strictObject({
  before: SeqParam.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).optional(),
});

export const DeleteMessageQuery = z.strictObject({ for: z.enum(["me", "everyone"]) });

export const ReadBody = z.strictObject({ upTo: Seq });

export const AddMembersBody = z.strictObject({ userIds: GroupMemberIds(1) });
export type AddMembersBody = z.infer<typeof AddMembersBody>;
export const SetRoleBody = z.strictObject({ role: z.enum(["admin", "member"]) });
export type SetRoleBody = z.infer<typeof SetRoleBody>;
/** A group description: clean text (new lines allowed), at most MAX_DESCRIPTION_BYTES of UTF-8; "" clears it. */
export const GroupDescription = cleanText().refine((s) => utf8.encode(s).length <= MAX_DESCRIPTION_BYTES, {
  message: `a description is at most ${MAX_DESCRIPTION_BYTES} bytes of UTF-8`,
});
/**
 * Group info and settings. `description`, `onlyAdminsSend` (members may read but not send) and
 * `onlyAdminsEdit` (only admins change name, picture and description; the default) — each change a
 * system message. The two settings are admins' alone; info is anyone's once `onlyAdminsEdit` is off.
 */
export const UpdateGroupBody = z
  .strictObject({
    name: DisplayName.optional(),
    pictureMediaId: Id.nullable().optional(),
    description: GroupDescription.optional(),
    onlyAdminsSend: z.boolean().optional(),
    onlyAdminsEdit: z.boolean().optional(),
    /** Any chat: the disappearing-messages timer (a member of a direct chat, an admin of a group). */
    disappearingSeconds: DisappearingSeconds.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "nothing to update");
export type UpdateGroupBody = z.infer<typeof UpdateGroupBody>;

/**
 * A group invite token (README "Invite links"): a 128-bit secret in hex followed by the group's id,
 * so the token itself names the object that checks it.
 */
export const InviteToken = z
  .string()
  .regex(
    new RegExp(`^[0-9a-f]{${INVITE_SECRET_HEX_CHARS}}[A-Za-z0-9_-]{1,${MAX_ID_CHARS}}$`),
    "malformed invite token",
  );

/** The secret and the group id of a well-formed token. */
export function splitInviteToken(token: string): { secret: string; conversationId: string } {
  return { secret: token.slice(0, INVITE_SECRET_HEX_CHARS), conversationId: token.slice(INVITE_SECRET_HEX_CHARS) };
}

export const PresenceQuery = z.strictObject({
  ids: cleanString()
    .transform((s) => s.split(",").filter(Boolean))
    .pipe(z.array(Id).min(1).max(MAX_PRESENCE_IDS)),
});

/** Who may see something of mine: everyone, people I have a direct chat with, or nobody. */
export const Audience = z.enum(["everyone", "contacts", "nobody"]);
export type Audience = z.infer<typeof Audience>;

/**
 * My privacy settings; any of them, at least one (README "Privacy"). `presence`: who sees my online
 * state and last seen. `readReceipts`: false = in direct chats I neither send read receipts nor see
 * others' (groups always show reads; delivered ticks are unaffected).
 */
export const PrivacyBody = z
  .strictObject({ presence: Audience.optional(), readReceipts: z.boolean().optional(), profile: Audience.optional() })
  .refine((b) => Object.keys(b).length > 0, "nothing to update");
export type PrivacyBody = z.infer<typeof PrivacyBody>;

/**
 * `GET /v1/config`: what this deploy allows, so clients need not hard-code it. The limits default to
 * the constants in limits.ts; the delete window is set per deploy (`DELETE_FOR_EVERYONE_WINDOW_SECONDS`).
 */
export const ServerConfig = z.object({
  /** How long after sending a sender (or group admin) may delete a message for everyone, in seconds. */
  deleteForEveryoneWindowSeconds: z.number().int().min(0),
  /** Max UTF-8 bytes of a message text or caption. */
  maxTextBytes: z.number().int().min(1),
  /** Max bytes of one uploaded picture or video. */
  maxMediaBytes: z.number().int().min(1),
  /** Max members of a group, creator included. */
  maxGroupMembers: z.number().int().min(1),
});
export type ServerConfig = z.infer<typeof ServerConfig>;

/** The values `ServerConfig` has unless a deploy changes them: what a client shows until it has asked. */
export const DEFAULT_SERVER_CONFIG: ServerConfig = {
  deleteForEveryoneWindowSeconds: DEFAULT_DELETE_FOR_EVERYONE_WINDOW_SECONDS,
  maxTextBytes: MAX_TEXT_BYTES,
  maxMediaBytes: MAX_MEDIA_BYTES,
  maxGroupMembers: MAX_GROUP_MEMBERS,
};
