/**
 * Records which hubs receive an RPC, independently of what the caller reports about itself: wraps
 * the method on the hub class (shared by every hub in this isolate) until `restore`. Each call is
 * recorded by the hub's name (its user id).
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";

type Method = (this: { ctx: DurableObjectState }, ...args: unknown[]) => Promise<unknown>;

export async function recordHubCalls(
  method: "typing" | "presence" | "deliver",
  anyHubUser: string,
): Promise<{ calls: string[]; restore: () => void }> {
  const proto = await runInDurableObject(
    env.USER_HUB.getByName(anyHubUser),
    (instance) => Object.getPrototypeOf(instance) as Record<string, Method>,
  );
  const original = proto[method]!;
  const calls: string[] = [];
  proto[method] = function (...args) {
    calls.push(this.ctx.id.name ?? "?");
    return original.apply(this, args);
  };
  return { calls, restore: () => void (proto[method] = original) };
}

/** Records the arguments of every call of a Conversation DO method (shared by all of them) until `restore`. */
export async function recordConversationCalls(
  method: "markDelivered",
  anyConversation: string,
): Promise<{ calls: unknown[][]; restore: () => void }> {
  const proto = await runInDurableObject(
    env.CONVERSATION.getByName(anyConversation),
    (instance) => Object.getPrototypeOf(instance) as Record<string, Method>,
  );
  const original = proto[method]!;
  const calls: unknown[][] = [];
  proto[method] = function (...args) {
    calls.push(args);
    return original.apply(this, args);
  };
  return { calls, restore: () => void (proto[method] = original) };
}
