/** The one door to the client SDK: the web app imports it from here, never by deep paths. */
export { Api, ApiError, MessengerClient, SendError, type ClientStore, type PendingSend } from "../../../sdk/index.ts";
export type { Connection, ConnectionState } from "../../../sdk/index.ts";
export { archivedList, listStateOf, mainList, shownInList, withNewMessage } from "../../../sdk/index.ts";
export {
  DEFAULT_HISTORY_PAGE,
  DEFAULT_SERVER_CONFIG,
  EDIT_WINDOW_SECONDS,
  MAX_ABOUT_CHARS,
  MAX_DESCRIPTION_BYTES,
  MAX_DOCUMENT_BYTES,
  MAX_FORWARD_TARGETS,
  MAX_DISPLAY_NAME_CHARS,
  MAX_PINNED_CHATS,
  MAX_PRESENCE_IDS,
  isMuted,
  type ChatListState,
  MAX_WAVEFORM_SAMPLES,
  MIN_PASSWORD_CHARS,
  USERNAME_PATTERN,
  type Conversation,
  type ConversationSummary,
  type Event,
  type Invite,
  type InvitePreview,
  type Media,
  type Member,
  type Message,
  type MessageStatus,
  type ReactionSummary,
  type ReplyQuote,
  type Presence,
  type ServerConfig,
  type Session,
  type SystemEvent,
  type UpdateGroupBody,
  type User,
} from "../../../sdk/protocol/index.ts";
export { MAX_THUMBNAIL_BYTES, MEDIA_TYPES, isMediaType } from "../../../sdk/protocol/media.ts";
