/**
 * REST bodies and answers (README "REST API"). Request schemas are strict: unknown fields are refused with
 * `invalid_request`, so a client that thinks it can set `senderId` or `role` learns it cannot.
 */
import { z } from "zod";
import {
  DEFAULT_DELETE_FOR_EVERYONE_WINDOW_SECONDS,
  MAX_ABOUT_CHARS,
  MAX_CLIENT_ID_CHARS,
  MAX_DISPLAY_NAME_CHARS,
  MAX_GROUP_MEMBERS,
  MAX_HISTORY_PAGE,
  MAX_ID_CHARS,
  MAX_MEDIA_BYTES,
  MAX_PASSWORD_CHARS,
  MAX_PRESENCE_IDS,
  MAX_TEXT_BYTES,
  MIN_PASSWORD_CHARS,
  USERNAME_PATTERN,
} from "./limits.ts";

/** Opaque ids are printable ASCII without separators; MAX_ID_CHARS covers every id we mint. */
export const Id = z.string().regex(new RegExp(`^[A-Za-z0-9_-]{1,${MAX_ID_CHARS}}$`), "malformed id");
/** `seq` is the per-conversation message number, 1, 2, 3, … */
export const Seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** Query strings carry numbers as text. */
export const SeqParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

const Username = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.string().regex(USERNAME_PATTERN, "3–32 of a-z 0-9 _ ."));
const Password = z.string().min(MIN_PASSWORD_CHARS).max(MAX_PASSWORD_CHARS);
const DisplayName = z.string().trim().min(1).max(MAX_DISPLAY_NAME_CHARS);

// ---- accounts and profiles --------------------------------------------------------------------

export const RegisterBody = z.strictObject({
  username: Username,
  password: Password,
  displayName: DisplayName,
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.strictObject({
  username: z.string().max(64),
  password: z.string().max(MAX_PASSWORD_CHARS),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const UpdateMeBody = z
  .strictObject({
    displayName: DisplayName.optional(),
    about: z.string().max(MAX_ABOUT_CHARS).optional(),
    pictureMediaId: Id.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "nothing to update");
export type UpdateMeBody = z.infer<typeof UpdateMeBody>;

export const UserSearchQuery = z.strictObject({
  q: z
    .string()
    .min(1)
    .max(32)
    .transform((s) => s.toLowerCase()),
});

// ---- conversations and messages --------------------------------------------------------------

export const CreateConversationBody = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("direct"), userId: Id }),
  z.strictObject({
    type: z.literal("group"),
    name: DisplayName,
    memberIds: z.array(Id).max(MAX_GROUP_MEMBERS),
    pictureMediaId: Id.optional(),
  }),
]);
export type CreateConversationBody = z.infer<typeof CreateConversationBody>;

export const ClientId = z.string().min(1).max(MAX_CLIENT_ID_CHARS);

/** Text size is checked in bytes by the server (413 `message_too_large`), not here. */
export const SendMessageBody = z
  .strictObject({
    clientId: ClientId,
    text: z.string().min(1).max(4096).optional(),
    mediaId: Id.optional(),
  })
  .refine((b) => b.text !== undefined || b.mediaId !== undefined, "text or mediaId is required");
export type SendMessageBody = z.infer<typeof SendMessageBody>;

export const HistoryQuery = z.strictObject({
  before: SeqParam.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).optional(),
});

export const DeleteMessageQuery = z.strictObject({ for: z.enum(["me", "everyone"]) });

export const ReadBody = z.strictObject({ upTo: Seq });

export const AddMembersBody = z.strictObject({ userIds: z.array(Id).min(1).max(MAX_GROUP_MEMBERS) });
export type AddMembersBody = z.infer<typeof AddMembersBody>;
export const SetRoleBody = z.strictObject({ role: z.enum(["admin", "member"]) });
export type SetRoleBody = z.infer<typeof SetRoleBody>;
export const UpdateGroupBody = z
  .strictObject({ name: DisplayName.optional(), pictureMediaId: Id.nullable().optional() })
  .refine((b) => Object.keys(b).length > 0, "nothing to update");
export type UpdateGroupBody = z.infer<typeof UpdateGroupBody>;

export const PresenceQuery = z.strictObject({
  ids: z
    .string()
    .transform((s) => s.split(",").filter(Boolean))
    .pipe(z.array(Id).min(1).max(MAX_PRESENCE_IDS)),
});

/** Who may see my online state and last seen. */
export const PrivacyBody = z.strictObject({ presence: z.enum(["everyone", "contacts", "nobody"]) });
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
