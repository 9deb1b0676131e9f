/**
 * Voice notes: the composer's microphone (record with MediaRecorder — Opus in WebM or Ogg, or AAC
 * in MP4, whichever this browser makes — while an analyser samples the loudness for the waveform),
 * and the player in a bubble (the waveform at once, the audio with its seek bar once fetched).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useController } from "../app/context.ts";
import { duration } from "../lib/format.ts";
import { useMediaUrl } from "../lib/media.ts";
import { MAX_WAVEFORM_SAMPLES, type Media } from "../lib/sdk.ts";

/** Loudness is sampled this often while recording. */
const SAMPLE_MS = 100;
/** What MediaRecorder may make, best first; the upload's type is the container without codecs. */
const RECORDING_TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4"];

/** `levels` squeezed (by taking maxima) into at most MAX_WAVEFORM_SAMPLES values 0–255. */
export function waveformOf(levels: readonly number[]): number[] {
  if (levels.length <= MAX_WAVEFORM_SAMPLES) return levels.map((l) => Math.round(l));
  const out: number[] = [];
  const step = levels.length / MAX_WAVEFORM_SAMPLES;
  for (let i = 0; i < MAX_WAVEFORM_SAMPLES; i++) {
    const slice = levels.slice(Math.floor(i * step), Math.floor((i + 1) * step));
    out.push(Math.round(Math.max(0, ...slice)));
  }
  return out;
}

interface Recording {
  recorder: MediaRecorder;
  stream: MediaStream;
  audio: AudioContext;
  levels: number[];
  chunks: Blob[];
  timer: ReturnType<typeof setInterval>;
  startedAt: number;
}

export function VoiceRecorderButton({ conversationId }: { conversationId: string }) {
  const controller = useController();
  const recording = useRef<Recording | null>(null);
  const [elapsed, setElapsed] = useState<number | null>(null);
  useEffect(() => () => stop(false), []);

  const start = async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const mimeType = RECORDING_TYPES.find((t) => MediaRecorder.isTypeSupported(t));
      const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : {});
      const audio = new AudioContext();
      const analyser = audio.createAnalyser();
      audio.createMediaStreamSource(stream).connect(analyser);
      const samples = new Uint8Array(analyser.fftSize);
      const levels: number[] = [];
      const startedAt = Date.now();
      const timer = setInterval(() => {
        analyser.getByteTimeDomainData(samples);
        let peak = 0;
        for (const s of samples) peak = Math.max(peak, Math.abs(s - 128));
        levels.push(Math.min(255, peak * 2));
        setElapsed(Date.now() - startedAt);
      }, SAMPLE_MS);
      const chunks: Blob[] = [];
      recorder.ondataavailable = (e) => chunks.push(e.data);
      recorder.start(250);
      recording.current = { recorder, stream, audio, levels, chunks, timer, startedAt };
      setElapsed(0);
    } catch {
      controller.toast("Voice notes need the microphone");
    }
  };

  function stop(send: boolean) {
    const r = recording.current;
    if (!r) return;
    recording.current = null;
    setElapsed(null);
    clearInterval(r.timer);
    r.recorder.onstop = () => {
      for (const track of r.stream.getTracks()) track.stop();
      void r.audio.close();
      if (!send) return;
      const type = (r.recorder.mimeType || "audio/webm").split(";")[0] ?? "audio/webm";
      const blob = new Blob(r.chunks, { type });
      void controller.extras.sendVoice(conversationId, blob, Date.now() - r.startedAt, waveformOf(r.levels));
    };
    r.recorder.stop();
  }

  if (elapsed === null)
    return (
      <button type="button" class="icon-btn" aria-label="Record a voice note" title="Voice note" onClick={start}>
        <span aria-hidden="true">🎤</span>
      </button>
    );
  return (
    <div class="voice-recording" role="status" aria-label="Recording a voice note">
      <span class="voice-dot" aria-hidden="true" />
      <span>{duration(elapsed)}</span>
      <button type="button" class="btn btn-text muted" onClick={() => stop(false)}>
        Cancel recording
      </button>
      <button type="button" class="btn btn-text" onClick={() => stop(true)}>
        Send voice note
      </button>
    </div>
  );
}

/** A voice note in a bubble: waveform and length at once, the player once the audio is fetched. */
export function VoicePlayer({ media }: { media: Pick<Media, "url" | "durationMs" | "waveform"> }) {
  const src = useMediaUrl(media.url);
  const bars = media.waveform ?? [];
  return (
    <div class="voice-note">
      {bars.length > 0 && (
        <svg class="voice-waveform" viewBox={`0 0 ${bars.length * 3} 32`} aria-hidden="true" preserveAspectRatio="none">
          {bars.map((level, i) => {
            const h = Math.max(2, (level / 255) * 32);
            return <rect key={i} x={i * 3} y={(32 - h) / 2} width={2} height={h} rx={1} />;
          })}
        </svg>
      )}
      {src ? (
        <audio src={src} controls preload="metadata" aria-label="Voice note" />
      ) : (
        <span class="muted small">{src === null ? "Voice note unavailable" : "Loading voice note…"}</span>
      )}
      {media.durationMs !== undefined && <span class="voice-length">{duration(media.durationMs)}</span>}
    </div>
  );
}
