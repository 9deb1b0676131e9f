/** My profile: name, about and picture. */
import { isMediaType } from "../lib/sdk.ts";
import { describeFile, rememberLocal } from "../lib/media.ts";
import { sendErrorText } from "./send-errors.ts";
import type { SessionPort } from "./session-port.ts";

export class ProfileActions {
  constructor(private readonly app: SessionPort) {}

  async update(patch: { displayName?: string; about?: string }): Promise<boolean> {
    try {
      this.app.setMe(await this.app.api.updateMe(patch));
      return true;
    } catch {
      this.app.toast("Couldn't save your profile");
      return false;
    }
  }

  async setPicture(file: File): Promise<void> {
    if (!file.type.startsWith("image/") || !isMediaType(file.type))
      return this.app.toast("Choose a JPEG, PNG, GIF or WebP picture");
    try {
      const media = await this.app.api.uploadMedia(file, file.type, await describeFile(file));
      const user = await this.app.api.updateMe({ pictureMediaId: media.id });
      if (user.pictureUrl) rememberLocal(user.pictureUrl, URL.createObjectURL(file), file.size);
      this.app.setMe(user);
    } catch (error) {
      this.app.toast(sendErrorText(error, this.app.state().config).replace("Not sent", "Picture not saved"));
    }
  }
}
