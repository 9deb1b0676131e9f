/** The messenger client SDK, for browsers and Node ≥ 22. */
export { Api, ApiError } from "./api.ts";
export { uploadResumable, type ResumableUploadOptions } from "./resumable-upload.ts";
export { Connection, SendError, type ConnectionEvents, type ConnectionState } from "./connection.ts";
export { MessengerClient, type ClientOptions } from "./client.ts";
export { MemoryStore, type ClientStore, type PendingSend } from "./store.ts";
export * as protocol from "./protocol/index.ts";
export { archivedList, listStateOf, mainList, shownInList, withNewMessage } from "./chat-list-order.ts";
