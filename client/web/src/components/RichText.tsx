/**
 * A message's text with WhatsApp formatting and clickable links (../lib/rich-text.ts). Built from
 * elements and text nodes only: user text never becomes HTML. Links open in a new tab with
 * `rel="noopener noreferrer"`, and nothing is fetched for them (no previews from the client's IP).
 */
import { Fragment, type JSX } from "preact";
import { parseRichText, type RichNode } from "../lib/rich-text.ts";

function render(nodes: readonly RichNode[]): JSX.Element[] {
  return nodes.map((n, i) => {
    switch (n.kind) {
      case "text":
        return <Fragment key={i}>{n.text}</Fragment>;
      case "link":
        return (
          <a key={i} href={n.href} target="_blank" rel="noopener noreferrer">
            {n.text}
          </a>
        );
      case "code":
        return <code key={i}>{n.text}</code>;
      case "bold":
        return <strong key={i}>{render(n.children)}</strong>;
      case "italic":
        return <em key={i}>{render(n.children)}</em>;
      case "strike":
        return <s key={i}>{render(n.children)}</s>;
    }
  });
}

export function RichText({ text }: { text: string }) {
  return <>{render(parseRichText(text))}</>;
}
