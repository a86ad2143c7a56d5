// What the server knows about the target host, fetched through the gateway and kept for a while:
// Doctor (python probe, sinfo: seconds) for minutes, dataset checks and listings for seconds, so
// typing does not flood the host. Each answer is a value or the reason it is missing.
import type { DatasetCheckResult, DatasetListResult, DoctorResult } from '../../common/protocol';
import { HostUnavailable, type HostGateway } from './host-gateway';

export type Fact<T> = { ok: true; value: T } | { ok: false; reason: string; notConnected: boolean };

const DOCTOR_TTL_MS = 5 * 60_000;
const DATASET_TTL_MS = 15_000;

export class HostFacts {
  private readonly cache = new Map<string, { at: number; ttl: number; fact: Promise<Fact<unknown>> }>();

  constructor(private readonly gateway: HostGateway) {}

  doctor(host: string): Promise<Fact<DoctorResult>> {
    return this.get(`doctor\0${host}`, DOCTOR_TTL_MS, () => this.gateway.doctor(host));
  }

  dataset(host: string, path: string): Promise<Fact<DatasetCheckResult>> {
    return this.get(`check\0${host}\0${path}`, DATASET_TTL_MS, () => this.gateway.checkDataset(host, path));
  }

  folders(host: string, dir: string): Promise<Fact<DatasetListResult>> {
    return this.get(`list\0${host}\0${dir}`, DATASET_TTL_MS, () => this.gateway.listDatasets(host, dir));
  }

  /** Forget everything (the user asked to validate again, or connected a host). */
  clear(): void {
    this.cache.clear();
  }

  private get<T>(key: string, ttl: number, ask: () => Promise<T>): Promise<Fact<T>> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < hit.ttl) return hit.fact as Promise<Fact<T>>;
    const fact: Promise<Fact<T>> = ask().then(
      (value) => ({ ok: true as const, value }),
      (e: Error) => ({
        ok: false as const,
        reason: e.message,
        notConnected: e instanceof HostUnavailable && e.notConnected,
      }),
    );
    // a host that could not be asked is asked again next time, not after the TTL
    const entry = { at: Date.now(), ttl, fact };
    this.cache.set(key, entry);
    void fact.then((f) => !f.ok && this.cache.get(key) === entry && this.cache.delete(key));
    return fact;
  }
}
