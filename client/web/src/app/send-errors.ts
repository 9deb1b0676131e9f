/** Words for the server's refusal of a send or an upload, with this deploy's limits. */
import { ApiError, SendError, type ServerConfig } from "../lib/sdk.ts";
import { sizeLimit } from "../lib/format.ts";

export function sendErrorText(error: unknown, config: ServerConfig): string {
  if (error instanceof SendError || error instanceof ApiError) {
    switch (error.code) {
      case "message_too_large":
        return `Not sent: longer than ${sizeLimit(config.maxTextBytes)}`;
      case "forbidden":
      case "not_found":
        return "Not sent: you can't send to this chat";
      case "media_too_large":
        return `Not sent: the file is over ${sizeLimit(config.maxMediaBytes)}`;
      case "unsupported_media_type":
        return "Not sent: this file type isn't supported";
      case "network":
        return "Not sent: no connection";
      default:
        return `Not sent (${error.code})`;
    }
  }
  return "Not sent";
}
