/**
 * The web UI's files: the bundle built by @fleetprof/web, served with their content types,
 * long-lived caching for content-hashed names and none for the rest, gzip when the browser
 * takes it, index.html for every page path (the app routes in the browser), and nothing
 * outside the UI's folder.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { constants as zlibConstants, createGzip, gzipSync } from "node:zlib";
import { errorMessage } from "@fleetprof/common";
import type { InlineFlame, InlineFlameStarter } from "./inline-flame.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

/** esbuild's `[name]-[hash]` names: the content never changes under such a name. */
const HASHED = /-[A-Z0-9]{8,}\.[a-z0-9]+$/;

/**
 * What a page may load: only its own origin (scripts, styles, API calls), images from data:
 * and blob: too, and the inline scripts the page itself carries (by hash).
 */
export function pagePolicy(html: string): string {
  const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (m) =>
      `'sha256-${createHash("sha256")
        .update(m[1] ?? "")
        .digest("base64")}'`,
  );
  return `default-src 'self'; script-src 'self'${hashes.map((h) => ` ${h}`).join("")}; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'`;
}

const COMPRESSIBLE = new Set([".html", ".js", ".css", ".map", ".json", ".svg", ".txt"]);

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The path under `root` that a URL path names, or undefined when it would leave `root`. */
export function resolveUnder(root: string, urlPath: string): string | undefined {
  const base = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  const path = normalize(join(base, decoded));
  return path === base || path.startsWith(base + sep) ? path : undefined;
}

async function fileAt(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function notBuilt(res: ServerResponse, root: string): void {
  res.writeHead(503, { "content-type": "text/plain; charset=utf-8" });
  res.end(`The web UI is not built (nothing in ${root}): run \`npm run build\` in the fleetprof repository, then reload.\n`);
}

/** Where the page is told that its flame graph comes inline (before the preload script), and where the answer goes. */
const INLINE_META = "fleetprof-flame";
const INLINE_ANSWER = "fleetprof-flame-answer";

/**
 * index.html with the page's flame graph streamed in (inline-flame.ts): the page up to
 * `</body>` at once, then, when the call is done, its answer and the rest. The policy is the
 * page's own: the answer is data in a non-executable element, and the inline scripts are unchanged.
 */
async function sendWithInlineFlame(res: ServerResponse, headers: Record<string, string>, raw: Buffer, gzip: boolean, inline: InlineFlame): Promise<void> {
  const html = raw.toString("utf8");
  const meta = `<meta name="${INLINE_META}" content="${String(inline.range.startMs)} ${String(inline.range.endMs)}">`;
  const firstScript = html.indexOf("<script>");
  const headed = firstScript < 0 ? html : `${html.slice(0, firstScript)}${meta}\n${html.slice(firstScript)}`;
  const bodyEnd = headed.lastIndexOf("</body>");
  const [before, after] = bodyEnd < 0 ? [headed, ""] : [headed.slice(0, bodyEnd), headed.slice(bodyEnd)];
  res.writeHead(200, headers);
  // the fastest level: the answer (~180 KB of base64 for a 4 096-node graph) is compressed while
  // the page waits for it, 1.7 ms instead of 3.5 ms at the default level, for ~6 % more bytes
  const out = gzip ? createGzip({ level: zlibConstants.Z_BEST_SPEED }) : undefined;
  if (out !== undefined) out.pipe(res);
  const write = (text: string): void => {
    if (out === undefined) res.write(text);
    else {
      out.write(text);
      out.flush(zlibConstants.Z_SYNC_FLUSH);
    }
  };
  write(before);
  const bytes = await inline.bytes;
  const answer =
    bytes === undefined
      ? ""
      : `<script type="application/octet-stream" id="${INLINE_ANSWER}">${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")}</script>\n`;
  if (out === undefined) res.end(answer + after);
  else out.end(answer + after);
}

/**
 * Serves the files under `root` (an absolute folder); `inline`, when given, starts a page's
 * flame graph call for index.html to carry (the Explore page opened in a browser).
 */
export function staticFiles(folder: string, inline?: InlineFlameStarter): StaticHandler {
  const root = resolve(folder);
  const gzipped = new Map<string, Buffer>();
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res
        .writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" })
        .end("only GET and HEAD here; RPCs are POST /fleetprof.v1.QueryService/<Method>\n");
      return;
    }
    const urlPath = (req.url ?? "/").split("?")[0] ?? "/";
    // started before anything is read: the query runs while the page is sent
    const flame = extname(urlPath) === "" ? inline?.(req, res) : undefined;
    let path = resolveUnder(root, urlPath);
    if (path === undefined) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    if (!(await fileAt(path))) {
      // A page path (no file extension) is the app's: index.html routes it in the browser.
      if (extname(urlPath) !== "") {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
        return;
      }
      path = join(root, "index.html");
      if (!(await fileAt(path))) {
        notBuilt(res, root);
        return;
      }
    }
    const ext = extname(path);
    const hashed = HASHED.test(path);
    const headers: Record<string, string> = {
      "content-type": TYPES[ext] ?? "application/octet-stream",
      "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
      vary: "accept-encoding",
    };
    const gzip = COMPRESSIBLE.has(ext) && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    if (gzip) headers["content-encoding"] = "gzip";
    let body = gzip && hashed ? gzipped.get(path) : undefined;
    if (body === undefined) {
      const raw = await readFile(path);
      if (ext === ".html")
        Object.assign(headers, { "content-security-policy": pagePolicy(raw.toString("utf8")), "referrer-policy": "no-referrer", "x-frame-options": "DENY" });
      if (flame !== undefined && ext === ".html") {
        await sendWithInlineFlame(res, headers, raw, gzip, flame);
        return;
      }
      body = gzip ? gzipSync(raw) : raw;
      if (gzip && hashed) gzipped.set(path, body);
    }
    headers["content-length"] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  };
  return (req, res) => {
    serve(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(`cannot read the file: ${errorMessage(err)}\n`);
    });
  };
}
