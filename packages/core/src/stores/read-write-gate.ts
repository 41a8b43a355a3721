/** Releases a hold on a {@link ReadWriteGate}; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  write: boolean;
  grant: (release: Release) => void;
}

/**
 * Readers share, a writer is alone, first come first served (a waiting writer holds back the
 * readers that come after it, so writes are not starved). Used where rows are read outside the
 * event loop's turn (worker threads scanning shared memory, a save writing the rows to disk):
 * writes wait for those reads and the reads never see half a write.
 */
export class ReadWriteGate {
  private readers = 0;
  private writing = false;
  private readonly waiting: Waiter[] = [];

  /** Whether nothing holds or waits for the gate (a write may then run synchronously). */
  get idle(): boolean {
    return this.readers === 0 && !this.writing && this.waiting.length === 0;
  }

  private once(fn: () => void): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      fn();
    };
  }

  private readRelease(): Release {
    this.readers++;
    return this.once(() => {
      this.readers--;
      this.pump();
    });
  }

  private writeRelease(): Release {
    this.writing = true;
    return this.once(() => {
      this.writing = false;
      this.pump();
    });
  }

  /** A read hold now, or `null` if a writer holds or waits for the gate. */
  tryRead(): Release | null {
    return this.writing || this.waiting.length > 0 ? null : this.readRelease();
  }

  /** A read hold, once the writers before it are done. */
  read(): Promise<Release> {
    const now = this.tryRead();
    if (now) return Promise.resolve(now);
    return new Promise((grant) => this.waiting.push({ write: false, grant }));
  }

  /** The write hold, once every reader and writer before it is done. */
  write(): Promise<Release> {
    if (this.idle) return Promise.resolve(this.writeRelease());
    return new Promise((grant) => this.waiting.push({ write: true, grant }));
  }

  private pump() {
    while (this.waiting.length > 0 && !this.writing) {
      const next = this.waiting[0]!;
      if (next.write) {
        if (this.readers > 0) return;
        this.waiting.shift();
        next.grant(this.writeRelease());
        return;
      }
      this.waiting.shift();
      next.grant(this.readRelease());
    }
  }
}
