/**
 * Bundles the browser code with esbuild (no CDN, nothing downloaded at run time):
 *   dist/app/      the single-page app: index.html (with the preload script inline, which
 *                  starts the Explore page's query early), assets/app-[hash].js and .css (cached
 *                  forever by the server), viewer/ (the HTML export's script, for downloads)
 *   dist/viewer-bundle/  flame-viewer.js and .css, inlined by the CLI into every HTML flame graph
 *                  (not dist/viewer/: tsc writes the viewer's Node modules there)
 * Sources come straight from the workspace (`@fleetprof/source` condition).
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildOptions } from "esbuild";

const WEB = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(WEB, "dist");

const common: BuildOptions = {
  absWorkingDir: WEB,
  bundle: true,
  minify: process.env["FLEETPROF_WEB_MINIFY"] !== "0",
  platform: "browser",
  target: ["chrome111", "firefox111", "safari16.4"],
  conditions: ["@fleetprof/source"],
  legalComments: "none",
  logLevel: "warning",
};

async function buildViewer(): Promise<void> {
  const out = join(DIST, "viewer-bundle");
  await build({ ...common, entryPoints: ["src/viewer/viewer-page.ts"], format: "iife", outfile: join(out, "flame-viewer.js") });
  await build({ ...common, entryPoints: ["src/viewer/flame-viewer.css"], outfile: join(out, "flame-viewer.css") });
}

async function buildApp(): Promise<void> {
  // not dist/ui/: tsc writes the Node side's ui/ modules there (time-range.js)
  const out = join(DIST, "app");
  // Inline in index.html: no request of its own before the FlameGraph one (the query API allows it by hash).
  const preload = await build({ ...common, entryPoints: ["src/ui/preload/flame-preload.ts"], format: "iife", write: false });
  const preloadJs = (preload.outputFiles[0]?.text ?? "").replace(/<\/script/gi, "<\\/script").trim();
  const result = await build({
    ...common,
    entryPoints: { app: "src/ui/main.ts" },
    format: "esm",
    // the Connect client and the other pages are chunks of their own, loaded when first used
    splitting: true,
    sourcemap: "linked",
    outdir: join(out, "assets"),
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
    assetNames: "[name]-[hash]",
    metafile: true,
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
  const js = outputs.find((f) => /^app-.*\.js$/.test(f));
  // the chunks the app's script imports statically: asked for with it, not after it is parsed
  const entry = Object.entries(result.metafile.outputs).find(([p]) => basename(p) === js)?.[1];
  const preloads = (entry?.imports ?? [])
    .filter((i) => i.kind === "import-statement")
    .map((i) => `<link rel="modulepreload" href="/assets/${basename(i.path)}">`);
  const css = outputs.find((f) => /^app-.*\.css$/.test(f));
  if (js === undefined || css === undefined || preloadJs === "")
    throw new Error(`esbuild wrote no app script, stylesheet or preload script: ${outputs.join(", ")}`);
  const template = readFileSync(join(WEB, "src", "ui", "index.html"), "utf8");
  writeFileSync(
    join(out, "index.html"),
    template
      .replace("%APP_CSS%", `/assets/${css}`)
      .replace("%APP_JS%", `/assets/${js}`)
      .replace("%APP_PRELOADS%", preloads.join("\n"))
      .replace("%PRELOAD_JS%", () => preloadJs),
  );
  mkdirSync(join(out, "viewer"), { recursive: true });
  for (const f of ["flame-viewer.js", "flame-viewer.css"]) copyFileSync(join(DIST, "viewer-bundle", f), join(out, "viewer", f));
  copyFileSync(join(WEB, "src", "ui", "favicon.svg"), join(out, "favicon.svg"));
}

rmSync(join(DIST, "app"), { recursive: true, force: true });
rmSync(join(DIST, "viewer-bundle"), { recursive: true, force: true });
await buildViewer();
await buildApp();
