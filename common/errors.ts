// I/O failures are Error subclasses with stable codes; business rejects are
// numeric reason codes returned as values (never thrown); broken invariants are
// assertions that crash (see assert()).

export class ExchangeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Invariant check: a false condition is a bug, so crash rather than continue with bad state. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailure(message);
}

export class AssertionFailure extends Error {
  readonly code = 'E_ASSERT';
  constructor(message: string) {
    super(`assertion failed: ${message}`);
    this.name = 'AssertionFailure';
  }
}
