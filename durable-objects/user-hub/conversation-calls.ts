/**
 * Calls from a hub to conversations, through cached stubs: calls on one stub arrive in order
 * (E-order), so a device's sends keep their order. A failed stub is dropped and the failure becomes
 * an `unavailable` answer the device may retry.
 */
import { log } from "../../lib/log.ts";
import type { Result } from "../../lib/result.ts";
import type { ConversationStub } from "./frames.ts";

export class ConversationCalls {
  private readonly stubs = new Map<string, ConversationStub>();

  constructor(private readonly stubFor: (conversationId: string) => ConversationStub) {}

  async call<T>(conversationId: string, call: (c: ConversationStub) => Promise<Result<T>>): Promise<Result<T>> {
    let stub = this.stubs.get(conversationId);
    if (!stub) {
      stub = this.stubFor(conversationId);
      this.stubs.set(conversationId, stub);
    }
    try {
      return await call(stub);
    } catch (error) {
      this.stubs.delete(conversationId);
      log("warn", "conversation call failed", { conversationId, error });
      return { ok: false, error: { code: "unavailable", message: "conversation temporarily unavailable, retry" } };
    }
  }
}
