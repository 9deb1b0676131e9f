/** The parts of `http_ece` (Mozilla's reference Encrypted Content-Encoding, untyped) the reference test uses. */
declare module "http_ece" {
  import type { ECDH } from "node:crypto";
  interface DecryptParams {
    version: "aes128gcm";
    /** The receiver's (browser's) key pair; the sender's public key is read from the header. */
    privateKey: ECDH;
    authSecret: Buffer;
  }
  export function decrypt(buffer: Buffer, params: DecryptParams): Buffer;
}
