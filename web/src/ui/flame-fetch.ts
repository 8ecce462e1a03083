/**
 * The flame graph of a selection, fetched and read without the protobuf runtime: the request
 * encoded by hand (preload/flame-request.ts) and the answer read straight into columns
 * (flame/decode-flame-graph.ts), both checked byte for byte against protobuf-es in unit tests.
 * This is the UI's hottest call; every other call goes through the Connect client (api.ts).
 * A failed call throws the ConnectError the client would (the client's chunk is loaded for it).
 */
import type { ConnectError } from "@connectrpc/connect";
import { Code, loadClient } from "./api.js";
import { decodeFlameGraphResponse } from "../flame/decode-flame-graph.js";
import type { FlameData } from "../flame/flame-data.js";
import { encodeFlameGraphRequest, FLAME_GRAPH_PATH, flameGraphHeaders, type FlameRequestFields } from "./preload/flame-request.js";

async function errorOf(res: Response): Promise<ConnectError> {
  const { ConnectError, codeFromString } = await loadClient();
  let body: { code?: string; message?: string } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not a Connect error body (a proxy's page, say): the HTTP status says enough
  }
  return new ConnectError(body.message ?? `HTTP ${String(res.status)} ${res.statusText}`, codeFromString(body.code ?? "") ?? Code.Unknown);
}

export async function fetchFlameGraph(fields: FlameRequestFields, signal?: AbortSignal): Promise<FlameData> {
  let res: Response;
  try {
    res = await fetch(FLAME_GRAPH_PATH, { method: "POST", headers: flameGraphHeaders(), body: encodeFlameGraphRequest(fields), signal: signal ?? null });
  } catch (err) {
    // the Connect runtime's error class, loaded for a failure only
    throw (await loadClient()).ConnectError.from(err, Code.Unavailable);
  }
  if (!res.ok) throw await errorOf(res);
  return decodeFlameGraphResponse(new Uint8Array(await res.arrayBuffer()));
}
