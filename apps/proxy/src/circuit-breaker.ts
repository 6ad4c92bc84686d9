/**
 * One circuit per upstream server. After `failureThreshold` consecutive failures (unreachable or
 * timed out) the circuit opens: requests are answered at once with 503 instead of piling up on a
 * dead upstream. After `openMs` one trial request is let through (half-open); its success closes
 * the circuit, its failure opens it again.
 */
export interface CircuitOptions {
  failureThreshold: number;
  openMs: number;
}

interface Circuit {
  failures: number;
  openUntil: number;
  isTrialInFlight: boolean;
}

export type CircuitAdmission = { isAllowed: true; isTrial: boolean } | { isAllowed: false; retryAfterMs: number };

export class CircuitBreakers {
  private readonly circuits = new Map<string, Circuit>();

  constructor(
    private readonly options: CircuitOptions,
    private readonly now: () => number = Date.now,
  ) {}

  admit(upstream: string): CircuitAdmission {
    const circuit = this.circuits.get(upstream);
    if (!circuit || circuit.failures < this.options.failureThreshold) return { isAllowed: true, isTrial: false };
    const remaining = circuit.openUntil - this.now();
    if (remaining > 0) return { isAllowed: false, retryAfterMs: remaining };
    if (circuit.isTrialInFlight) return { isAllowed: false, retryAfterMs: this.options.openMs };
    circuit.isTrialInFlight = true;
    return { isAllowed: true, isTrial: true };
  }

  recordSuccess(upstream: string): void {
    this.circuits.delete(upstream);
  }

  recordFailure(upstream: string): void {
    const circuit = this.circuits.get(upstream) ?? { failures: 0, openUntil: 0, isTrialInFlight: false };
    circuit.failures += 1;
    circuit.isTrialInFlight = false;
    if (circuit.failures >= this.options.failureThreshold) circuit.openUntil = this.now() + this.options.openMs;
    this.circuits.set(upstream, circuit);
  }

  /** A trial that ended without a verdict (the client went away): let the next request try. */
  releaseTrial(upstream: string): void {
    const circuit = this.circuits.get(upstream);
    if (circuit) circuit.isTrialInFlight = false;
  }

  isOpen(upstream: string): boolean {
    const circuit = this.circuits.get(upstream);
    return circuit !== undefined && circuit.failures >= this.options.failureThreshold;
  }
}
