/** The status mark on my own messages: clock, ✓ sent, ✓✓ delivered, blue ✓✓ read, or "not sent". */
import type { Tick } from "../state/selectors.ts";
import { CheckIcon, ClockIcon, DoubleCheckIcon, InfoIcon } from "./icons.tsx";

const LABEL: Record<Tick, string> = {
  pending: "Pending",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  failed: "Not sent",
};

export function Ticks({ tick }: { tick: Tick }) {
  return (
    <span class={`ticks ticks-${tick}`} role="img" aria-label={LABEL[tick]} title={LABEL[tick]}>
      {tick === "pending" ? (
        <ClockIcon />
      ) : tick === "sent" ? (
        <CheckIcon />
      ) : tick === "failed" ? (
        <InfoIcon />
      ) : (
        <DoubleCheckIcon />
      )}
    </span>
  );
}
