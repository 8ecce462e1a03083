/**
 * Which format a profile is written in: `--format` if given, otherwise the output file's
 * name: `.html` interactive, `.svg`, `.pb.gz` pprof, `.txt` collapsed stacks, `.json`
 * speedscope.
 */
import { ErrorCode, FleetprofError } from "@fleetprof/common";

export const FILE_FORMATS = ["html", "svg", "pprof", "collapsed", "speedscope"] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

const BY_SUFFIX: [string, FileFormat][] = [
  [".html", "html"],
  [".htm", "html"],
  [".svg", "svg"],
  [".pb.gz", "pprof"],
  [".pprof", "pprof"],
  [".pb", "pprof"],
  [".txt", "collapsed"],
  [".collapsed", "collapsed"],
  [".folded", "collapsed"],
  [".json", "speedscope"],
  [".speedscope.json", "speedscope"],
];

export function formatFor(file: string | undefined, format: string | undefined): FileFormat | undefined {
  if (format !== undefined) {
    if (!(FILE_FORMATS as readonly string[]).includes(format)) {
      throw new FleetprofError(ErrorCode.InvalidArgument, `--format must be one of ${FILE_FORMATS.join(", ")} (got "${format}")`);
    }
    return format as FileFormat;
  }
  if (file === undefined) return undefined;
  const lower = file.toLowerCase();
  for (const [suffix, f] of BY_SUFFIX) if (lower.endsWith(suffix)) return f;
  throw new FleetprofError(
    ErrorCode.InvalidArgument,
    `cannot tell the format from "${file}": name it .html, .svg, .pb.gz (pprof), .txt (collapsed) or .json (speedscope), or pass --format`,
  );
}
