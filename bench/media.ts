/**
 * Media throughput: a 16 MB video uploaded (`POST /v1/media`: auth, sniffing, SHA-256, R2 put,
 * Postgres row) and downloaded (`GET /v1/media/:id`: auth, row lookup, R2 get) through the Worker,
 * beside the same bytes put into and read from R2 by the bench's baseline Worker (`/r2` of
 * bench/baseline/worker.ts: no auth, no checks) in the same run. The gap between the two is what our
 * media code costs.
 *
 * Each figure is the median of RUNS runs, interleaved so a slow moment hits both sides alike.
 * MB = 10^6 bytes. Locally, R2 is miniflare's on-disk store, so the absolute numbers describe this
 * machine, not Cloudflare's edge; the ratio is the useful part.
 */
import { MAX_MEDIA_BYTES } from "../client/sdk/protocol/index.ts";

const RUNS = 3;
/** Exactly the product limit: the biggest file a user may send. */
const SIZE = MAX_MEDIA_BYTES;

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

/** A valid MP4 head (`ftyp` isom) followed by random bytes, so nothing along the way can compress it. */
function videoFile(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65_536)));
  const head = [
    0,
    0,
    0,
    24,
    ..."ftypisom".split("").map((c) => c.charCodeAt(0)),
    0,
    0,
    2,
    0,
    ..."isommp41".split("").map((c) => c.charCodeAt(0)),
  ];
  bytes.set(head, 0);
  return bytes;
}

const mbPerSecond = (bytes: number, ms: number) => Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Runs `call`, checks its status, and returns the elapsed ms including reading the whole body. */
async function timed(expectStatus: number, call: () => Promise<Response>): Promise<{ ms: number; body: ArrayBuffer }> {
  const started = performance.now();
  const res = await call();
  const body = await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== expectStatus) {
    throw new Error(
      `bench: expected ${expectStatus}, got ${res.status}: ${new TextDecoder().decode(body.slice(0, 300))}`,
    );
  }
  return { ms, body };
}

/**
 * Upload and download MB/s of a 16 MB file through the Worker, and direct R2 put/get MB/s in the same
 * run. `baseUrl` is the product's Worker, `token` a session of any user, `baselineUrl` the baseline Worker.
 */
export async function benchMedia(baseUrl: string, token: string, baselineUrl: string): Promise<BenchResult[]> {
  const auth = { authorization: `Bearer ${token}` };
  const file = videoFile(SIZE);
  const samples = {
    upload: [] as number[],
    download: [] as number[],
    put: [] as number[],
    get: [] as number[],
    putInside: [] as number[],
  };

  for (let run = 0; run < RUNS; run++) {
    const upload = await timed(201, () =>
      fetch(`${baseUrl}/v1/media`, { method: "POST", headers: { ...auth, "content-type": "video/mp4" }, body: file }),
    );
    samples.upload.push(mbPerSecond(SIZE, upload.ms));
    const { media } = JSON.parse(new TextDecoder().decode(upload.body)) as { media: { url: string } };
    const download = await timed(200, () => fetch(`${baseUrl}${media.url}`, { headers: auth }));
    if (download.body.byteLength !== SIZE) throw new Error(`bench: downloaded ${download.body.byteLength} bytes`);
    samples.download.push(mbPerSecond(SIZE, download.ms));

    const put = await timed(200, () =>
      fetch(`${baselineUrl}/r2`, {
        method: "PUT",
        headers: { "content-type": "application/octet-stream" },
        body: file,
      }),
    );
    samples.put.push(mbPerSecond(SIZE, put.ms));
    const inside = JSON.parse(new TextDecoder().decode(put.body)) as { ms: number };
    samples.putInside.push(mbPerSecond(SIZE, inside.ms));
    const get = await timed(200, () => fetch(`${baselineUrl}/r2`));
    if (get.body.byteLength !== SIZE) throw new Error(`bench: R2 get returned ${get.body.byteLength} bytes`);
    samples.get.push(mbPerSecond(SIZE, get.ms));
  }
  await fetch(`${baselineUrl}/r2`, { method: "DELETE" });

  return [
    { name: "media upload 16 MB via Worker (POST /v1/media)", value: median(samples.upload), unit: "MB/s" },
    { name: "media download 16 MB via Worker (GET /v1/media/:id)", value: median(samples.download), unit: "MB/s" },
    { name: "R2 direct put 16 MB (baseline Worker)", value: median(samples.put), unit: "MB/s" },
    { name: "R2 direct get 16 MB (baseline Worker)", value: median(samples.get), unit: "MB/s" },
    { name: "R2 put 16 MB measured inside the Worker", value: median(samples.putInside), unit: "MB/s" },
  ];
}
