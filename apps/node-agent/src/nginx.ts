// nginx access-log lines -> status and request time; a batch of them -> qps / rtt / 5xx share. Pure.
import { nonNegative, ratio } from './round.js';
import type { ServiceNumbers } from './service-metrics.js';

export interface AccessLogEntry {
  status: number;
  /** $request_time in seconds; null when the line has "-". */
  requestTimeS: number | null;
}

/** The format the agent documents: anything, then `$request_time $status` at the end. */
export const PLANE_LOG_FORMAT = "log_format plane '$remote_addr [$time_local] \"$request\" $body_bytes_sent $request_time $status';";

const QUOTED = '"(?:[^"\\\\]|\\\\.)*"';
// $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time
const COMBINED_WITH_TIME = new RegExp(`^\\S+ \\S+ \\S+ \\[[^\\]]*\\] ${QUOTED} (\\d{3}) (?:\\d+|-) ${QUOTED} ${QUOTED}\\s+(\\d+(?:\\.\\d+)?|-)\\s*$`);
// ... $request_time $status
const TIME_THEN_STATUS = /(?:^|\s)(\d+(?:\.\d+)?|-)\s+(\d{3})\s*$/;

function entry(status: string, time: string): AccessLogEntry | undefined {
  const code = Number(status);
  if (code < 100 || code > 599) return undefined;
  return { status: code, requestTimeS: time === '-' ? null : Number(time) };
}

/** One line of the combined format plus a trailing $request_time, or of a format ending in `$request_time $status`. */
export function parseAccessLogLine(line: string): AccessLogEntry | undefined {
  const combined = COMBINED_WITH_TIME.exec(line);
  if (combined) return entry(combined[1]!, combined[2]!);
  const plane = TIME_THEN_STATUS.exec(line);
  if (plane) return entry(plane[2]!, plane[1]!);
  return undefined;
}

/** Running totals of one interval's lines. */
export class AccessLogTally {
  lines = 0;
  unparsable = 0;
  requests = 0;
  errors = 0;
  timed = 0;
  timeSumS = 0;
  firstUnparsable: string | undefined;

  add(line: string): void {
    if (line.trim() === '') return;
    this.lines++;
    const e = parseAccessLogLine(line);
    if (!e) {
      this.unparsable++;
      this.firstUnparsable ??= line.slice(0, 120);
      return;
    }
    this.requests++;
    if (e.status >= 500) this.errors++;
    if (e.requestTimeS !== null) {
      this.timed++;
      this.timeSumS += e.requestTimeS;
    }
  }

  /**
   * The interval's numbers, or an error when there were lines and none could be read (a
   * log_format the agent does not understand must not pass for a quiet node).
   */
  numbers(seconds: number): { ok: true; numbers: ServiceNumbers } | { ok: false; error: string } {
    if (this.lines > 0 && this.requests === 0) {
      return { ok: false, error: `none of ${this.lines} new access-log lines is in a known format (combined + $request_time, or ending in "$request_time $status"); first: ${JSON.stringify(this.firstUnparsable)}` };
    }
    const s = seconds > 0 ? seconds : 1;
    return {
      ok: true,
      numbers: {
        qps: nonNegative(this.requests / s),
        rtt_ms: nonNegative(this.timed > 0 ? (this.timeSumS / this.timed) * 1000 : 0),
        error_rate: this.requests > 0 ? ratio(this.errors / this.requests, 4) : 0,
      },
    };
  }
}
