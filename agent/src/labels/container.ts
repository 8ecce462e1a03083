/** The container a process runs in, from /proc/PID/cgroup (docker, containerd, CRI-O, podman). */

const PATTERNS = [
  /(?:docker|cri-containerd|crio|libpod|containerd)-([0-9a-f]{64})(?:\.scope)?/,
  /\/(?:docker|libpod|kubepods[^\n]*?)\/([0-9a-f]{64})(?:\/|$)/m,
  /([0-9a-f]{64})/,
];

/** The 64-hex container id, or undefined for a process outside any container. */
export function containerIdFromCgroup(cgroup: string | undefined): string | undefined {
  if (cgroup === undefined) return undefined;
  for (const re of PATTERNS) {
    const m = re.exec(cgroup);
    if (m?.[1] !== undefined) return m[1];
  }
  return undefined;
}
