/** Runs one or more calls against the query API with progress, then closes the client. */
import type { CommandContext } from "../commands/command.js";
import { withProgress } from "../output/progress.js";
import type { ClientConnection } from "./connect.js";
import { ApiCallError } from "./describe-error.js";
import type { QueryClient } from "./query-client.js";

export async function callApi<T>(ctx: CommandContext, connection: ClientConnection, label: string, work: (client: QueryClient) => Promise<T>): Promise<T> {
  let client: QueryClient | undefined;
  try {
    client = await ctx.connect(connection);
    return await withProgress(ctx.io, `${label} (${connection.api})`, work(client));
  } catch (err) {
    throw new ApiCallError(connection.api, err);
  } finally {
    client?.close();
  }
}

export function connectionFrom(config: { api: string; tls: boolean; tlsCa: string | undefined; token: string | undefined; timeout: number }): ClientConnection {
  return { api: config.api, tls: config.tls || config.tlsCa !== undefined, tlsCa: config.tlsCa, token: config.token, timeout: config.timeout };
}
