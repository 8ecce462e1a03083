/** A small line of CPU use over time (SVG), for the services list. */

const NS = "http://www.w3.org/2000/svg";

export function sparkline(values: readonly number[], title: string, width = 160, height = 32): SVGSVGElement {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${String(width)} ${String(height)}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("class", "sparkline");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", title);
  const t = document.createElementNS(NS, "title");
  t.textContent = title;
  svg.append(t);
  const max = Math.max(...values, 0);
  if (values.length < 2 || max === 0) return svg;
  const step = width / (values.length - 1);
  const y = (v: number): number => height - 2 - (v / max) * (height - 4);
  const line = values.map((v, i) => `${i === 0 ? "M" : "L"}${(i * step).toFixed(1)},${y(v).toFixed(1)}`).join("");
  const area = document.createElementNS(NS, "path");
  area.setAttribute("d", `${line}L${String(width)},${String(height)}L0,${String(height)}Z`);
  area.setAttribute("class", "spark-area");
  const path = document.createElementNS(NS, "path");
  path.setAttribute("d", line);
  path.setAttribute("class", "spark-line");
  svg.append(area, path);
  return svg;
}
