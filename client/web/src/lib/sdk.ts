/** The one door to the client SDK: the web app imports it from here, never by deep paths. */
export { Api, ApiError, MessengerClient, SendError, type ClientStore, type PendingSend } from "../../../sdk/index.ts";
export type { Connection, ConnectionState } from "../../../sdk/index.ts";
export {
  DEFAULT_HISTORY_PAGE,
  DEFAULT_SERVER_CONFIG,
  MAX_ABOUT_CHARS,
  MAX_DISPLAY_NAME_CHARS,
  MAX_PRESENCE_IDS,
  MIN_PASSWORD_CHARS,
  USERNAME_PATTERN,
  type Conversation,
  type ConversationSummary,
  type Event,
  type Media,
  type Member,
  type Message,
  type MessageStatus,
  type Presence,
  type ServerConfig,
  type SystemEvent,
  type User,
} from "../../../sdk/protocol/index.ts";
export { MAX_THUMBNAIL_BYTES, MEDIA_TYPES, isMediaType } from "../../../sdk/protocol/media.ts";
