/**
 * Which push endpoints we accept. The server makes requests to whatever URL a client registers, so
 * in production only public https URLs pass: no loopback, private, link-local or unique-local IP
 * literals, no `localhost`, no credentials in the URL. (A hostname that *resolves* to a private
 * address cannot be checked here; Workers' fetch does not reach private networks in production.)
 * `PUSH_ALLOW_INSECURE=1` (local stack and tests only) admits http and loopback for a fake service.
 */

/** Why an endpoint is refused, or null if it is acceptable. */
export function endpointProblem(endpoint: string, allowInsecure: boolean): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "endpoint: not a URL";
  }
  if (url.username || url.password) return "endpoint: credentials are not allowed";
  if (url.hash) return "endpoint: fragments are not allowed";
  if (allowInsecure) return url.protocol === "https:" || url.protocol === "http:" ? null : "endpoint: must be http(s)";
  if (url.protocol !== "https:") return "endpoint: must be https";
  if (isPrivateHost(url.hostname)) return "endpoint: private or loopback addresses are not allowed";
  return null;
}

function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal")) {
    return true;
  }
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  if (host.includes(":")) {
    // IPv6 literal (URL has already normalised it): loopback, unspecified, ULA fc00::/7, link-local fe80::/10, v4-mapped.
    return (
      host === "::1" ||
      host === "::" ||
      /^f[cd][0-9a-f]{0,2}:/.test(host) ||
      /^fe[89ab][0-9a-f]?:/.test(host) ||
      host.startsWith("::ffff:")
    );
  }
  return false;
}
