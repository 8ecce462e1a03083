/**
 * How a component logs in to NATS: user and password (also accepted inside the URL,
 * `nats://user:pass@host:4222`, which the NATS client itself ignores), a token, a credentials
 * file, TLS files, and the reply-inbox prefix a user's permissions allow. One schema fragment,
 * spread into the agent's, the collector's and the query API's options.
 */
import { readFileSync } from "node:fs";
import { credsAuthenticator, type ConnectionOptions } from "@nats-io/transport-node";
import { defineOptions } from "./config.js";

export const natsAuthOptions = defineOptions({
  "nats-user": { type: "string", doc: "NATS user (or give it in the URL: nats://user:pass@host:4222)" },
  "nats-password": { type: "string", doc: "NATS password" },
  "nats-token": { type: "string", doc: "NATS authentication token" },
  "nats-creds": { type: "string", doc: "NATS credentials file (JWT and nkey seed)" },
  "nats-tls-ca": { type: "string", doc: "CA certificate file that signed the NATS server's certificate (turns TLS on)" },
  "nats-tls-cert": { type: "string", doc: "client certificate file for NATS mutual TLS" },
  "nats-tls-key": { type: "string", doc: "client key file for NATS mutual TLS" },
  "nats-inbox-prefix": { type: "string", doc: "prefix of reply subjects, as the NATS user's permissions allow (e.g. _INBOX_web-1)" },
});

export interface NatsAuthConfig {
  natsUser?: string | undefined;
  natsPassword?: string | undefined;
  natsToken?: string | undefined;
  natsCreds?: string | undefined;
  natsTlsCa?: string | undefined;
  natsTlsCert?: string | undefined;
  natsTlsKey?: string | undefined;
  natsInboxPrefix?: string | undefined;
}

/** Connection options for a comma-separated NATS URL and the login options. */
export function natsConnectOptions(url: string, auth: NatsAuthConfig = {}): Partial<ConnectionOptions> & { servers: string[] } {
  let user = auth.natsUser;
  let pass = auth.natsPassword;
  const servers = url.split(",").map((raw) => {
    const s = raw.trim();
    try {
      const u = new URL(s);
      if (u.username !== "") {
        user ??= decodeURIComponent(u.username);
        pass ??= decodeURIComponent(u.password);
        return `${u.protocol}//${u.host}`;
      }
    } catch {
      // host:port without a scheme: the client takes it as it is
    }
    return s;
  });
  const options: Partial<ConnectionOptions> & { servers: string[] } = { servers };
  if (user !== undefined) options.user = user;
  if (pass !== undefined) options.pass = pass;
  if (auth.natsToken !== undefined) options.token = auth.natsToken;
  if (auth.natsCreds !== undefined) {
    const file = auth.natsCreds;
    options.authenticator = credsAuthenticator(() => readFileSync(file));
  }
  if (auth.natsTlsCa !== undefined || auth.natsTlsCert !== undefined) {
    options.tls = {
      ...(auth.natsTlsCa === undefined ? {} : { caFile: auth.natsTlsCa }),
      ...(auth.natsTlsCert === undefined ? {} : { certFile: auth.natsTlsCert }),
      ...(auth.natsTlsKey === undefined ? {} : { keyFile: auth.natsTlsKey }),
    };
  }
  if (auth.natsInboxPrefix !== undefined) options.inboxPrefix = auth.natsInboxPrefix;
  return options;
}
