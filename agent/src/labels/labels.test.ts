import { describe, expect, it } from "vitest";
import { containerIdFromCgroup } from "./container.js";
import { deriveLabels, MAX_LABEL_VALUE_LENGTH, parseResourceAttributes } from "./labels.js";
import { serviceFromCommandLine } from "./service-name.js";

const base = { cmdline: ["/usr/bin/python3.11", "/srv/api/server_main.py"], maxLabels: 16 };

describe("labels", () => {
  it("takes service and version from OpenTelemetry variables", () => {
    const l = deriveLabels({
      ...base,
      environ: {
        OTEL_SERVICE_NAME: "checkout",
        OTEL_RESOURCE_ATTRIBUTES: "service.version=1.5.2,deployment.environment=prod,k8s.pod.name=checkout-7f,team=pay%20ments",
      },
      pythonVersion: "3.11",
    });
    expect(l).toEqual({
      service: "checkout",
      version: "1.5.2",
      labels: { python: "3.11", env: "prod", k8s_pod_name: "checkout-7f", team: "pay ments" },
      truncated: 0,
    });
  });

  it("prefers FLEETPROF_* over OTEL over Datadog, and OTEL's service.name attribute over DD_SERVICE", () => {
    expect(
      deriveLabels({ ...base, environ: { FLEETPROF_SERVICE: "a", OTEL_SERVICE_NAME: "b", DD_SERVICE: "c", FLEETPROF_VERSION: "9", DD_VERSION: "1" } }),
    ).toMatchObject({ service: "a", version: "9" });
    expect(
      deriveLabels({ ...base, environ: { OTEL_RESOURCE_ATTRIBUTES: "service.name=b", DD_SERVICE: "c", DD_VERSION: "2.0", DD_ENV: "staging" } }),
    ).toMatchObject({
      service: "b",
      version: "2.0",
      labels: { env: "staging" },
    });
    expect(deriveLabels({ ...base, environ: { DD_TAGS: "team:core,region:eu" } }).labels).toEqual({ team: "core", region: "eu" });
  });

  it("derives the service from the command line and says version unknown when nothing names it", () => {
    expect(deriveLabels({ ...base, environ: undefined })).toMatchObject({ service: "server_main", version: "unknown" });
    expect(deriveLabels({ ...base, environ: { OTEL_SERVICE_NAME: "  " } }).service).toBe("server_main");
  });

  it("keeps labels bounded and counts every label dropped or cut", () => {
    const many = Array.from({ length: 30 }, (_, i) => `k${String(i)}=v`).join(",");
    const l = deriveLabels({
      ...base,
      maxLabels: 5,
      environ: { OTEL_RESOURCE_ATTRIBUTES: `${many},long=${"x".repeat(1000)}`, OTEL_SERVICE_NAME: "s".repeat(500) },
    });
    expect(Object.keys(l.labels)).toHaveLength(5);
    expect(l.service).toHaveLength(128);
    expect(l.truncated).toBe(1 + 26);
    const one = deriveLabels({ ...base, maxLabels: 5, environ: { FLEETPROF_LABELS: `long=${"x".repeat(1000)}` } });
    expect(one.labels["long"]).toHaveLength(MAX_LABEL_VALUE_LENGTH);
    expect(one.truncated).toBe(1);
  });

  it("does not let users override the labels the agent owns", () => {
    expect(deriveLabels({ ...base, environ: { FLEETPROF_LABELS: "host=evil,pid=1,zone=a" } }).labels).toEqual({ zone: "a" });
  });

  it("parses OTEL resource attributes with encoded values and stray spaces", () => {
    expect([...parseResourceAttributes(" a=1 , b=x%2Cy,=bad,c")]).toEqual([
      ["a", "1"],
      ["b", "x,y"],
    ]);
  });
});

describe("service from the command line", () => {
  const cases: [string[], string][] = [
    [["python3", "-m", "billing.worker", "--queue", "x"], "billing.worker"],
    [["/usr/bin/python3.11", "-u", "-X", "dev", "/srv/x/cpu_split.py", "--alpha", "3"], "cpu_split"],
    [["python", "-m", "gunicorn", "-w", "4", "-b", "0.0.0.0:80", "shop.wsgi:application"], "shop"],
    [["/venv/bin/python", "/venv/bin/gunicorn", "app:app"], "app"],
    [["gunicorn: worker [orders.wsgi:application]"], "orders"],
    [["/venv/bin/python3", "/venv/bin/celery", "-A", "proj", "worker"], "proj"],
    [["python", "-m", "celery", "--app=tasks.celery_app", "worker"], "tasks"],
    [["python3", "-m", "uvicorn", "--port", "8000", "api.main:app"], "api"],
    [["python3", "/srv/inventory/manage.py", "runserver"], "inventory"],
    [["python3", "-c", "print(1)"], "python"],
    [["python3"], "python"],
    [["/usr/bin/my-tool", "--flag"], "my-tool"],
  ];
  for (const [argv, expected] of cases) {
    it(`${argv.join(" ")} → ${expected}`, () => expect(serviceFromCommandLine(argv)).toBe(expected));
  }
  it("names a relative generic script by its working directory", () => {
    expect(serviceFromCommandLine(["python3", "manage.py", "runserver"], "/srv/blog")).toBe("blog");
  });
});

describe("container id", () => {
  const id = "a".repeat(12) + "0123456789abcdef".repeat(3) + "0123";
  it("reads docker, containerd, CRI-O and kubepods cgroup paths", () => {
    expect(containerIdFromCgroup(`0::/system.slice/docker-${id}.scope\n`)).toBe(id);
    expect(containerIdFromCgroup(`12:pids:/docker/${id}\n`)).toBe(id);
    expect(containerIdFromCgroup(`0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-${id}.scope\n`)).toBe(id);
    expect(containerIdFromCgroup(`0::/kubepods/besteffort/pod1234/${id}\n`)).toBe(id);
  });
  it("says none outside a container", () => {
    expect(containerIdFromCgroup("0::/user.slice/user-0.slice/session-3.scope\n")).toBeUndefined();
    expect(containerIdFromCgroup(undefined)).toBeUndefined();
  });
});
