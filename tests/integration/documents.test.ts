/**
 * Documents against the running stack: any file type up to 100 MB, stored in R2 with its name and
 * downloaded only as an attachment with a type that cannot render on our origin.
 */
import { describe, expect, inject, it } from "vitest";
import { filler } from "../fixtures/media-files.ts";
import { person, type Person } from "./people.ts";

const baseUrl = inject("baseUrl");
const download = (url: string, who: Person) =>
  fetch(`${baseUrl}${url}`, { headers: { authorization: `Bearer ${who.client.api.token}` } });

describe("documents", () => {
  it("lets bob download the PDF alice sent, as an attachment with its name", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    const pdf = new Uint8Array([...new TextEncoder().encode("%PDF-1.7\n"), ...filler(20 * 1024)]);
    const media = await alice.client.api.uploadMedia(pdf, "application/pdf", { filename: "Q3 report – final.pdf" });
    expect(media).toMatchObject({ type: "application/pdf", size: pdf.byteLength, filename: "Q3 report – final.pdf" });
    const sent = await alice.client.api.sendMessage(chat.id, { clientId: "d", mediaId: media.id });
    const [received] = await bob.client.api.history(chat.id);
    expect(received?.media).toMatchObject({ id: media.id, filename: "Q3 report – final.pdf" });
    const res = await download(sent.media!.url, bob);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="Q3 report _ final.pdf"; filename*=UTF-8''Q3%20report%20%E2%80%93%20final.pdf`,
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(pdf);
  });

  it("serves a document labelled text/html as application/octet-stream, never inline", async () => {
    const alice = await person("alice");
    const html = new TextEncoder().encode("<script>alert(document.cookie)</script>");
    const media = await alice.client.api.uploadMedia(html, "text/html", { filename: "page.html" });
    expect(media.type).toBe("application/octet-stream");
    const res = await download(media.url, alice);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="page.html"/);
    expect(res.headers.get("content-security-policy")).toContain("sandbox");
  });

  it("takes a 17 MB zip, over the picture and video limit", async () => {
    const alice = await person("alice");
    const zip = filler(17 * 1024 * 1024, 9);
    const media = await alice.client.api.uploadMedia(zip, "application/zip", { filename: "photos.zip" });
    expect(media).toMatchObject({ size: zip.byteLength, type: "application/zip" });
  });

  it("refuses a file name with a path, and picture extras on a document, with 400", async () => {
    const alice = await person("alice");
    const bytes = new TextEncoder().encode("hello");
    await expect(
      alice.client.api.uploadMedia(bytes, "text/plain", { filename: "../etc/passwd" }),
    ).rejects.toMatchObject({
      status: 400,
    });
    await expect(
      alice.client.api.uploadMedia(bytes, "text/plain", { filename: "a.txt", width: 10, height: 10 }),
    ).rejects.toMatchObject({ status: 400 });
  });
});
