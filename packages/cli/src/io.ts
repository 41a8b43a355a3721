import cliProgress from "cli-progress";

/** Where the command writes, and how. */
export interface Io {
  out(text: string): void;
  /** Writes text to stdout as it is (no newline added): streamed answers. @default out */
  write?(text: string): void;
  err(text: string): void;
  /** Print one JSON document on stdout instead of text. */
  json: boolean;
  /** No progress bars or notes, only results and errors. */
  quiet: boolean;
  /** Whether stderr is a terminal (progress bars are drawn only there). */
  tty: boolean;
}

/** Standard output and error of this process. */
export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
    write: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
    json: false,
    quiet: false,
    tty: Boolean(process.stderr.isTTY),
  };
}

/** A progress bar on stderr; does nothing unless stderr is a terminal and output is not JSON or quiet. */
export interface Progress {
  update(done: number, total: number, label?: string): void;
  stop(): void;
}

export function createProgress(io: Io, unit: string): Progress {
  if (!io.tty || io.json || io.quiet) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `  {bar} {percentage}% | {value}/{total} ${unit} | {label} | ETA {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, label = "") {
      if (!started) bar.start(total, done, { label });
      started = true;
      bar.setTotal(total);
      bar.update(done, { label });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Prints a result: JSON on stdout with `--json`, else the text lines. */
export function emit(io: Io, json: unknown, text: () => string[]): void {
  if (io.json) io.out(JSON.stringify(json, null, 2));
  else for (const line of text()) io.out(line);
}

/** A note on stderr (not in JSON or quiet mode). */
export function note(io: Io, text: string): void {
  if (!io.quiet && !io.json) io.err(text);
}
