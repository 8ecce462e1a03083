/**
 * The demo service of `fleetprof up --demo`: cli/demo/shop.py started as versions 1.0 and
 * 2.0 of `shop-demo`, labelled the OpenTelemetry way so the agent picks the labels up.
 */
import { fileURLToPath } from "node:url";
import { startChild, type Child } from "./children.js";

export const DEMO_SERVICE = "shop-demo";
export const DEMO_VERSIONS = ["1.0", "2.0"] as const;
/** The function version 2.0 spends about twice as long in. */
export const DEMO_SLOWER_FUNCTION = "compute_prices";

// Same relative path from src/up/ and dist/up/.
const SCRIPT = fileURLToPath(new URL("../../demo/shop.py", import.meta.url));

export async function startDemo(python: string, env: NodeJS.ProcessEnv = process.env): Promise<Child[]> {
  const children = DEMO_VERSIONS.map((version) =>
    startChild(`${DEMO_SERVICE} ${version}`, python, ["-u", SCRIPT], {
      env: { ...env, OTEL_SERVICE_NAME: DEMO_SERVICE, OTEL_RESOURCE_ATTRIBUTES: `service.version=${version},deployment.environment=demo` },
    }),
  );
  try {
    await Promise.all(children.map((c) => c.waitFor(/READY \d+/, 20_000)));
  } catch (err) {
    await Promise.all(children.map((c) => c.stop(1000)));
    throw err;
  }
  return children;
}
