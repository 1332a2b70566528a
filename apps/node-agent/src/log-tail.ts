// Follows a log file like `tail -F`: from its end at start, through rotation (rename + new file:
// the rest of the old file is read first, then the new one from its start) and truncation
// (copytruncate: start over at 0). Complete lines only; a partial last line waits.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

const CHUNK = 256 * 1024;
/** A "line" longer than this without a newline is not a log line: it is dropped. */
const MAX_PARTIAL = 64 * 1024;

export class LogTail {
  private handle: FileHandle | undefined;
  private ino = 0;
  private dev = 0;
  private position = 0;
  private partial = '';
  private decoder = new StringDecoder('utf8');

  constructor(readonly path: string) {}

  /** Opens the file positioned at its end (lines written before the agent started are not news). */
  async openAtEnd(): Promise<void> {
    await this.openFile(true);
  }

  private async openFile(atEnd: boolean): Promise<void> {
    const h = await open(this.path, 'r');
    const st = await h.stat();
    if (!st.isFile()) {
      await h.close();
      throw new Error(`${this.path} is not a regular file`);
    }
    this.handle = h;
    this.ino = st.ino;
    this.dev = st.dev;
    this.position = atEnd ? st.size : 0;
    this.partial = '';
    this.decoder = new StringDecoder('utf8');
  }

  private async closeFile(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close().catch(() => undefined);
  }

  /** Reads what the open file holds beyond the position, line by line. */
  private async drain(onLine: (line: string) => void): Promise<void> {
    const h = this.handle;
    if (!h) return;
    const size = (await h.stat()).size;
    if (size < this.position) {
      // Truncated in place (copytruncate): everything in it now is new.
      this.position = 0;
      this.partial = '';
    }
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await h.read(buf, 0, CHUNK, this.position);
      if (bytesRead === 0) break;
      this.position += bytesRead;
      const text = this.partial + this.decoder.write(buf.subarray(0, bytesRead));
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      if (this.partial.length > MAX_PARTIAL) this.partial = '';
      for (const line of lines) onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
  }

  /**
   * Calls onLine for each complete line written since the last call. Throws when the file cannot
   * be read (missing, not permitted): the caller reports it.
   */
  async readNew(onLine: (line: string) => void): Promise<void> {
    if (!this.handle) {
      // Missing at start, or gone after a rotation: a file that appears now is all news.
      await this.openFile(false);
    }
    await this.drain(onLine);
    let current: { ino: number; dev: number } | undefined;
    try {
      current = await stat(this.path);
    } catch {
      current = undefined;
    }
    if (!current || current.ino !== this.ino || current.dev !== this.dev) {
      // Rotated: the old file is read to its end above; continue with the new one from its start.
      await this.closeFile();
      if (current) {
        await this.openFile(false);
        await this.drain(onLine);
      }
    }
  }

  async close(): Promise<void> {
    await this.closeFile();
  }
}
