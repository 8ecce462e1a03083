/** Plain text tables for the terminal: columns padded to width, numbers right-aligned. */

export interface Column {
  header: string;
  /** Right-align (numbers). */
  right?: boolean;
}

// ANSI colour codes take no room on screen.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const visible = (s: string): number => s.replace(ANSI, "").length;

export function formatTable(columns: Column[], rows: string[][]): string {
  const widths = columns.map((c, k) => Math.max(visible(c.header), ...rows.map((r) => visible(r[k] ?? ""))));
  const line = (cells: string[]): string =>
    cells
      .map((cell, k) => {
        const pad = " ".repeat(Math.max(0, (widths[k] ?? 0) - visible(cell)));
        const last = k === cells.length - 1;
        return columns[k]?.right === true ? pad + cell : last ? cell : cell + pad;
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join("\n") + "\n";
}

export interface Paint {
  red: (s: string) => string;
  blue: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
}

export function paint(enabled: boolean): Paint {
  const wrap = (code: string) => (s: string) => (enabled ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { red: wrap("31"), blue: wrap("34"), dim: wrap("2"), bold: wrap("1") };
}
