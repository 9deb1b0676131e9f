/**
 * Settings: "Export my data". Starts an export, polls it while the server prepares it in the
 * background, then offers the archive (`messenger-export.json`) as a download link.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useController } from "../app/context.ts";
import { ApiError } from "../lib/sdk.ts";

/** Between two polls of a preparing export. */
const POLL_MS = 1_000;

export function ExportData() {
  const controller = useController();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [href, setHref] = useState<string | null>(null);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  useEffect(() => () => void (href && URL.revokeObjectURL(href)), [href]);

  const start = async () => {
    setBusy(true);
    setHref(null);
    setStatus("Preparing your archive…");
    try {
      const { id } = await controller.api.startExport();
      for (;;) {
        if (!alive.current) return;
        const polled = await controller.api.dataExport(id);
        if (polled.file) {
          if (!alive.current) return;
          setHref(URL.createObjectURL(polled.file));
          setStatus("Your archive is ready.");
          break;
        }
        if (polled.export.status === "failed") {
          setStatus("Couldn't prepare the archive. Try again.");
          break;
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    } catch (error) {
      const code = error instanceof ApiError ? error.code : null;
      setStatus(
        code === "rate_limited"
          ? "You have exported several times today. Try again tomorrow."
          : "Couldn't prepare the archive. Try again.",
      );
    }
    if (alive.current) setBusy(false);
  };

  return (
    <section class="info-section" aria-labelledby="export-data-title">
      <h4 id="export-data-title">Export my data</h4>
      <p class="muted small">A JSON file with your profile, your chats and the messages you can see in them.</p>
      <button type="button" class="btn btn-text" disabled={busy} onClick={() => void start()}>
        Export my data
      </button>
      {status && (
        <p class="muted small" role="status">
          {status}
        </p>
      )}
      {href && (
        <a class="btn btn-text" href={href} download="messenger-export.json">
          Download messenger-export.json
        </a>
      )}
    </section>
  );
}
