/** A self-signed certificate for servers under test: valid for localhost and 127.0.0.1, for a day. */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { tempDir } from "./tmp.js";

export interface SelfSigned {
  /** PEM certificate (also what a client trusts as its CA). */
  cert: string;
  /** PEM private key. */
  key: string;
}

/** Writes a fresh key and certificate with `openssl` into a temporary directory; returns their paths. */
export function selfSignedCertificate(): SelfSigned {
  const dir = tempDir("fleetprof-tls-");
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "pipe" },
  );
  return { cert, key };
}
