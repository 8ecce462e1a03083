/**
 * Where the built web UI and the flame graph viewer are, for the Node side: the query API
 * serves the UI's folder, the CLI inlines the viewer into every HTML flame graph. Built by
 * `npm run build` (web/scripts/build.ts); the same paths from src/ and dist/.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ErrorCode, FleetprofError } from "@fleetprof/common";

/** The single-page app's files (index.html, assets/); not dist/ui/, where tsc writes the Node side's ui/ modules (time-range.js). */
export const UI_DIR = fileURLToPath(new URL("../dist/app/", import.meta.url));

const VIEWER_DIR = new URL("../dist/viewer-bundle/", import.meta.url);

export interface ViewerAssets {
  /** The viewer's script: reads the page's embedded flame graph and draws it. */
  js: string;
  css: string;
}

let viewer: ViewerAssets | undefined;

/** The bundled flame graph viewer that an HTML flame graph inlines. */
export function viewerAssets(): ViewerAssets {
  if (viewer !== undefined) return viewer;
  const js = new URL("flame-viewer.js", VIEWER_DIR);
  if (!existsSync(js)) {
    throw new FleetprofError(
      ErrorCode.MissingPrerequisite,
      `the flame graph viewer is not built (${fileURLToPath(js)} is missing): run \`npm run build\` in the fleetprof repository`,
    );
  }
  viewer = { js: readFileSync(js, "utf8"), css: readFileSync(new URL("flame-viewer.css", VIEWER_DIR), "utf8") };
  return viewer;
}
