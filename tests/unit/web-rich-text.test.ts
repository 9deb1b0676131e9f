/** Message formatting and link detection (client/web/src/lib/rich-text.ts), as WhatsApp does them. */
import { describe, expect, it } from "vitest";
import { findLinks, linkTarget, parseRichText, plainText } from "../../client/web/src/lib/rich-text.ts";

const text = (t: string) => ({ kind: "text", text: t });

describe("WhatsApp formatting", () => {
  it("reads *bold*, _italic_, ~strike~ and `monospace`", () => {
    expect(parseRichText("a *b* _c_ ~d~ `e`")).toEqual([
      text("a "),
      { kind: "bold", children: [text("b")] },
      text(" "),
      { kind: "italic", children: [text("c")] },
      text(" "),
      { kind: "strike", children: [text("d")] },
      text(" "),
      { kind: "code", text: "e" },
    ]);
  });

  it("nests formats and keeps markers inside code as typed", () => {
    expect(parseRichText("*_both_*")).toEqual([
      { kind: "bold", children: [{ kind: "italic", children: [text("both")] }] },
    ]);
    expect(parseRichText("`*not bold*`")).toEqual([{ kind: "code", text: "*not bold*" }]);
    expect(parseRichText("```x = *y*```")).toEqual([{ kind: "code", text: "x = *y*" }]);
  });

  it("leaves markers inside words, around spaces or unclosed as plain text", () => {
    for (const plain of ["2*3*4", "snake_case_name", "* not bold *", "*open only", "a ~ b ~ c", "``", "*"])
      expect(parseRichText(plain)).toEqual([text(plain)]);
  });

  it("closes before punctuation and opens after it", () => {
    expect(parseRichText("(*yes*).")).toEqual([text("("), { kind: "bold", children: [text("yes")] }, text(").")]);
  });

  it("reads the text a person sees without markers", () => {
    expect(plainText(parseRichText("*Hi* _there_, `x`"))).toBe("Hi there, x");
  });

  it("never turns markup into anything but text", () => {
    const attack = '<img src=x onerror="alert(1)">';
    expect(parseRichText(attack)).toEqual([text(attack)]);
  });
});

describe("links", () => {
  it("finds http, https and www addresses, without the sentence's punctuation", () => {
    expect(findLinks("see https://example.com/a?b=1, and www.example.org.").map((l) => [l.text, l.href])).toEqual([
      ["https://example.com/a?b=1", "https://example.com/a?b=1"],
      ["www.example.org", "https://www.example.org/"],
    ]);
  });

  it("keeps a closing parenthesis that belongs to the address, drops one that does not", () => {
    expect(findLinks("(https://en.wikipedia.org/wiki/Tea_(drink))").map((l) => l.text)).toEqual([
      "https://en.wikipedia.org/wiki/Tea_(drink)",
    ]);
    expect(findLinks("(see https://example.com)").map((l) => l.text)).toEqual(["https://example.com"]);
  });

  it("links only http(s): no javascript:, data: or bare words", () => {
    expect(findLinks("javascript:alert(1) data:text/html,x ftp://x.org example.com")).toEqual([]);
    expect(linkTarget("javascript:alert(1)")).toBeNull();
    expect(linkTarget("https://nodot")).toBeNull();
  });

  it("keeps underscores and stars inside an address, formats around it", () => {
    expect(parseRichText("*read https://x.org/a_b_c*")).toEqual([
      {
        kind: "bold",
        children: [text("read "), { kind: "link", text: "https://x.org/a_b_c", href: "https://x.org/a_b_c" }],
      },
    ]);
    expect(parseRichText("https://x.org/_a_")).toEqual([
      { kind: "link", text: "https://x.org/_a_", href: "https://x.org/_a_" },
    ]);
  });
});
