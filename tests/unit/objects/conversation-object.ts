/**
 * A Conversation DO's store and context over an in-memory SQLite, wired as the object wires them
 * (the store's lazily kept state written at the end of each transaction), for Node tests.
 */
import type { ConversationContext } from "../../../durable-objects/conversation/context.ts";
import { CONVERSATION_MIGRATIONS } from "../../../durable-objects/conversation/schema.ts";
import { ConversationStore } from "../../../durable-objects/conversation/store.ts";
import { migrate } from "../../../durable-objects/shared/migrations.ts";
import { NodeStorage } from "./sqlite-storage.ts";

export function conversationObject(): { storage: NodeStorage; store: ConversationStore; ctx: ConversationContext } {
  const storage = new NodeStorage();
  migrate(storage.storage, CONVERSATION_MIGRATIONS);
  const store = new ConversationStore(storage.sqlStorage);
  store.load();
  const ctx: ConversationContext = {
    store,
    config: { deleteWindowMs: 60_000, hotWindow: 1000 },
    write: (fn) =>
      storage.transactionSync(() => {
        const result = fn();
        store.flush();
        return result;
      }),
    committed: () => undefined,
  };
  return { storage, store, ctx };
}
