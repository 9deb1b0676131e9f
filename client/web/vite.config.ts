/**
 * Builds the web client into client/web/dist, which wrangler.toml serves as Workers Static Assets
 * (`npm run build:web`). There is no Vite dev server in the loop: `npm run dev` builds, then runs
 * `wrangler dev`, so the app is always tested as it ships, behind its real CSP.
 */
import { defineConfig } from "vite";

// Run as `vite build client/web`: the root (and so `dist`) is this folder.
export default defineConfig({
  base: "/",
  // JSX compiles straight to Preact's automatic runtime: no Babel, no preset plugin.
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Every asset is a file: nothing inlined as data: or inline script, so `script-src 'self'` holds.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
});
