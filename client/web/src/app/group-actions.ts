/** Group administration: create, add and remove members, roles, rename, leave. */
import { ApiError, isMediaType } from "../lib/sdk.ts";
import { describeFile, rememberLocal } from "../lib/media.ts";
import { placeGroup } from "../state/reducers.ts";
import type { SessionPort } from "./session-port.ts";

export class GroupActions {
  constructor(private readonly app: SessionPort) {}

  async create(name: string, memberIds: string[]): Promise<boolean> {
    try {
      const conversation = await this.app.api.createGroup(name, memberIds);
      this.app.update((s) => placeGroup(s, conversation, conversation.createdAt));
      this.app.openChat(conversation.id);
      return true;
    } catch (error) {
      this.app.toast(
        error instanceof ApiError && error.code === "group_full"
          ? `A group has at most ${this.app.state().config.maxGroupMembers} members`
          : "Couldn't create the group",
      );
      return false;
    }
  }

  /** Runs a group change, then refetches the group; false (with a toast) if refused. */
  private async groupChange(conversationId: string, work: () => Promise<unknown>, failure: string): Promise<boolean> {
    try {
      await work();
      await this.app.refreshDetails(conversationId);
      return true;
    } catch (error) {
      this.app.toast(
        error instanceof ApiError && error.code === "forbidden" ? "Only group admins can do that" : failure,
      );
      return false;
    }
  }

  add(conversationId: string, userIds: string[]): Promise<boolean> {
    return this.groupChange(
      conversationId,
      () => this.app.api.addMembers(conversationId, userIds),
      "Couldn't add members",
    );
  }
  remove(conversationId: string, userId: string): Promise<boolean> {
    return this.groupChange(
      conversationId,
      () => this.app.api.deleteMember(conversationId, userId),
      "Couldn't remove the member",
    );
  }
  setRole(conversationId: string, userId: string, role: "admin" | "member"): Promise<boolean> {
    return this.groupChange(
      conversationId,
      () => this.app.api.setRole(conversationId, userId, role),
      "Couldn't change the role",
    );
  }
  rename(conversationId: string, name: string): Promise<boolean> {
    return this.groupChange(
      conversationId,
      () => this.app.api.updateGroup(conversationId, { name }),
      "Couldn't rename the group",
    );
  }
  /** An admin sets the group's picture (uploaded first, like a profile picture). */
  async setPicture(conversationId: string, file: File): Promise<boolean> {
    if (!file.type.startsWith("image/") || !isMediaType(file.type)) {
      this.app.toast("Choose a JPEG, PNG, GIF or WebP picture");
      return false;
    }
    return this.groupChange(
      conversationId,
      async () => {
        const media = await this.app.api.uploadMedia(file, file.type, await describeFile(file));
        const group = await this.app.api.updateGroup(conversationId, { pictureMediaId: media.id });
        if (group.pictureUrl) rememberLocal(group.pictureUrl, URL.createObjectURL(file), file.size);
      },
      "Couldn't change the group photo",
    );
  }

  async leave(conversationId: string): Promise<void> {
    const left = await this.groupChange(
      conversationId,
      () => this.app.api.deleteMember(conversationId, this.app.state().me.id),
      "Couldn't leave the group",
    );
    if (left) {
      this.app.update((s) => {
        const chat = s.chats[conversationId];
        return {
          ...s,
          rightPanel: null,
          chats: chat ? { ...s.chats, [conversationId]: { ...chat, active: false } } : s.chats,
        };
      });
    }
  }
}
