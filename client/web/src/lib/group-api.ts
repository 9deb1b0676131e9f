/** Group management calls (API.md "Groups") on top of the SDK's typed `request`. */
import { z } from "zod";
import { Conversation } from "../../../sdk/protocol/index.ts";
import type { Api } from "./sdk.ts";

const ConversationAnswer = z.object({ conversation: Conversation });
const path = (conversationId: string) => `/v1/conversations/${encodeURIComponent(conversationId)}`;

export function addMembers(api: Api, conversationId: string, userIds: string[]) {
  return api
    .request("POST", `${path(conversationId)}/members`, ConversationAnswer, { userIds })
    .then((r) => r.conversation);
}

/** An admin removes someone, or a member leaves with their own id. */
export function removeMember(api: Api, conversationId: string, userId: string): Promise<void> {
  return api.request("DELETE", `${path(conversationId)}/members/${encodeURIComponent(userId)}`, null);
}

export function setRole(api: Api, conversationId: string, userId: string, role: "admin" | "member") {
  return api
    .request("PATCH", `${path(conversationId)}/members/${encodeURIComponent(userId)}`, ConversationAnswer, { role })
    .then((r) => r.conversation);
}

export function updateGroup(api: Api, conversationId: string, patch: { name?: string; pictureMediaId?: string }) {
  return api.request("PATCH", path(conversationId), ConversationAnswer, patch).then((r) => r.conversation);
}
