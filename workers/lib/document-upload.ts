/**
 * Documents (any file, `POST /v1/media?filename=…`): the same streaming upload as pictures and
 * videos (./media-upload.ts), with a larger limit, no sniffing, and a served type that can never
 * render on our origin (`documentType`). A single streamed R2 put takes the whole file — a Worker
 * never buffers it; a failed single upload is restarted from the beginning (nothing of it stays in
 * R2). Large files go up resumably in parts instead (../routes/uploads.ts), under the same policy.
 */
import { AppError } from "../../lib/errors.ts";
import { DOCUMENT_UPLOAD, type UploadPolicy } from "./media-upload.ts";

/**
 * The document policy when `filename` is given (null otherwise). A document carries no picture
 * extras: width, height, duration or a thumbnail with a file name is 400 `invalid_request`.
 */
export function documentPolicy(
  filename: string | undefined,
  query: { width?: number; height?: number; durationMs?: number },
  thumbnailHeader: string | undefined,
): UploadPolicy | null {
  if (filename === undefined) return null;
  const extras = query.width !== undefined || query.durationMs !== undefined || thumbnailHeader !== undefined;
  if (extras) throw new AppError("invalid_request", "a document takes no width, height, duration or thumbnail");
  return DOCUMENT_UPLOAD;
}
