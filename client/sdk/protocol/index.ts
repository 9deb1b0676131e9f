/** The single source of every REST body and WebSocket frame. Import from here. */
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./model.ts";
export * from "./rest.ts";
export * from "./frames.ts";
export * from "./push.ts";
export * from "./wire.ts";
export * from "./strings.ts";
export * from "./weak-passwords.ts";
export * from "./routes.ts";
export * from "./quick-frames.ts";
export * from "./message-extras.ts";
export * from "./documents.ts";
export * from "./voice.ts";
export * from "./disappearing.ts";
export * from "./uploads.ts";
export * from "./chat-state.ts";
