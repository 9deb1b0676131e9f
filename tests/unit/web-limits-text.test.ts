/** The web app words this deploy's limits (GET /v1/config) as people say them. */
import { describe, expect, it } from "vitest";
import { sizeLimit, span } from "../../client/web/src/lib/format.ts";
import { sendErrorText } from "../../client/web/src/app/send-errors.ts";
import { ApiError } from "../../client/sdk/api.ts";
import { DEFAULT_SERVER_CONFIG, ServerConfig } from "../../client/sdk/protocol/index.ts";

describe("limits in the web app's words", () => {
  it("says the protocol's default limits as before", () => {
    expect(sizeLimit(DEFAULT_SERVER_CONFIG.maxTextBytes)).toBe("700 bytes");
    expect(sizeLimit(DEFAULT_SERVER_CONFIG.maxMediaBytes)).toBe("16 MB");
    expect(span(DEFAULT_SERVER_CONFIG.deleteForEveryoneWindowSeconds)).toBe("48 hours");
  });

  it("follows a deploy that changed them", () => {
    expect(span(3600)).toBe("1 hour");
    expect(span(900)).toBe("15 minutes");
    expect(span(45)).toBe("45 seconds");
    expect(sizeLimit(1536 * 1024)).toBe("1.5 MB");
    const config = { ...DEFAULT_SERVER_CONFIG, maxTextBytes: 300 };
    expect(sendErrorText(new ApiError(413, "message_too_large", "too large"), config)).toBe(
      "Not sent: longer than 300 bytes",
    );
  });

  it("accepts the config answer the server gives and refuses a malformed one", () => {
    expect(ServerConfig.parse(DEFAULT_SERVER_CONFIG)).toEqual(DEFAULT_SERVER_CONFIG);
    expect(ServerConfig.safeParse({ ...DEFAULT_SERVER_CONFIG, maxTextBytes: "700" }).success).toBe(false);
  });
});
