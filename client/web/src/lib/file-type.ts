/**
 * What a chosen file really is, from its first bytes (the protocol's sniffer, the same one the
 * server runs). A file's name and type are claims: a text file renamed .png would otherwise pass
 * the type check, show a broken preview and then be refused by the server after the upload.
 */
// Straight from the protocol (not through ./sdk.ts) so the sniffer ships in the attach dialog's
// chunk, not in the first load.
import { SNIFF_BYTES, sniffMediaType } from "../../../sdk/protocol/media-sniff.ts";

/**
 * The file typed as its bytes say (a JPEG named .png becomes image/jpeg), or null when the bytes
 * are no picture or video we can send.
 */
export async function asSendableMedia(file: File): Promise<File | null> {
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  const type = sniffMediaType(head);
  if (!type) return null;
  return type === file.type ? file : new File([file], file.name, { type, lastModified: file.lastModified });
}
