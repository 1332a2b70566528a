// The AliDNS stand-in: an RPC-style HTTP endpoint on 127.0.0.1 that the official
// @alicloud/pop-core client talks to unmodified (pointed at it through `endpoint`).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { domainActions } from './actions/domains.js';
import { recordActions } from './actions/records.js';
import { weightActions } from './actions/weights.js';
import { CommonParamsChecker, type Credentials } from './common-params.js';
import type { ActionHandler, StandInSettings } from './context.js';
import { AliApiError, aliErrors } from './errors.js';
import { RpcParams } from './params.js';
import { AlidnsState, slbKey, type SeedRecord, type StandInRecord } from './state.js';
import { FailureQueue, WRITE_ACTIONS, WriteRateLimit, type InjectedFailure } from './traffic.js';

const HOST_ID = 'alidns.aliyuncs.com';
const MAX_BODY_BYTES = 1024 * 1024;
const ACTIONS: Record<string, ActionHandler> = { ...domainActions, ...recordActions, ...weightActions };

export interface AlidnsStandInOptions extends Credentials, Partial<StandInSettings> {
  /** Domains (zones) the account hosts; default ['example.com']. */
  domains?: string[];
}

export interface LoggedRequest {
  method: string;
  path: string;
  action: string;
  /** Parameters without Signature, AccessKeyId and SecurityToken. */
  params: Record<string, string>;
  status: number;
  /** The error code when the request failed. */
  code?: string;
  write: boolean;
  /** A stand-in bug (answered as InternalError): its message, to debug the stand-in itself. */
  bug?: string;
}

export interface AlidnsStandIn {
  /** Base URL for the SDK's `endpoint` option. */
  readonly url: string;
  /** Tunable at run time (TTL floor, write rate, throttle status, page size, weighting limits). */
  readonly settings: StandInSettings;
  stop(): Promise<void>;
  /** Hosts one more domain (zone), as if added in the console. */
  addDomain(name: string): void;
  /** Copies of the records, sorted by RecordId; optionally of one domain. */
  records(domain?: string): StandInRecord[];
  /** Adds a record as if made elsewhere (no Remark = foreign to the controller). */
  seedRecord(seed: SeedRecord): StandInRecord;
  /** Weighting switch of a host (FQDN) and type on the default line. */
  slbOpen(name: string, type?: string): boolean;
  setSlbOpen(name: string, type: string, open: boolean): void;
  requests(): LoggedRequest[];
  /** Requests of write actions that succeeded. */
  writes(): LoggedRequest[];
  clearRequests(): void;
  /** The next `count` requests (of `failure.action` only, when set) answer this error. */
  failNext(count: number, failure: InjectedFailure): void;
  throttleNext(count: number, opts?: { status?: number; retryAfterS?: number; action?: string }): void;
  unavailableNext(count: number, opts?: { status?: 500 | 503; retryAfterS?: number; action?: string }): void;
  clearFailures(): void;
}

export async function startAlidnsStandIn(opts: AlidnsStandInOptions = {}): Promise<AlidnsStandIn> {
  const settings: StandInSettings = {
    minTtl: opts.minTtl ?? 1,
    writesPerSecond: opts.writesPerSecond ?? 60,
    throttleStatus: opts.throttleStatus ?? 400,
    ...(opts.pageSizeLimit !== undefined ? { pageSizeLimit: opts.pageSizeLimit } : {}),
    slbMinRecords: opts.slbMinRecords ?? 2,
    maxWeightedRecords: opts.maxWeightedRecords ?? 90,
  };
  const state = new AlidnsState(opts.domains ?? ['example.com']);
  const checker = new CommonParamsChecker(opts);
  const failures = new FailureQueue();
  const rateLimit = new WriteRateLimit();
  const log: LoggedRequest[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID().toUpperCase();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let params = new RpcParams(new Map());
    let action = '';
    try {
      params = RpcParams.parse(url.searchParams, new URLSearchParams(await readBody(req)));
      action = params.optional('Action') ?? '';
      const injected = failures.take(action);
      if (injected) throw injected;
      if (method !== 'GET' && method !== 'POST') throw aliErrors.unsupportedMethod();
      if (url.pathname !== '/') throw aliErrors.unknownAction(url.pathname);
      checker.check(method, params);
      const handler = ACTIONS[action];
      if (!handler) throw aliErrors.unknownAction(action);
      if (WRITE_ACTIONS.has(action)) rateLimit.admit(settings.writesPerSecond, settings.throttleStatus);
      const result = handler(params, { state, settings });
      send(res, 200, { RequestId: requestId, ...result }, requestId);
      log.push({ method, path: url.pathname, action, params: params.summary(), status: 200, write: WRITE_ACTIONS.has(action) });
    } catch (err) {
      const e = err instanceof AliApiError ? err : aliErrors.internal();
      const recommend = `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(e.code)}&product=Alidns&requestId=${requestId}`;
      const body = { RequestId: requestId, HostId: HOST_ID, Code: e.code, Message: e.message, Recommend: recommend };
      send(res, e.status, body, requestId, e.retryAfterS);
      const bug = err instanceof AliApiError ? {} : { bug: err instanceof Error ? err.message : String(err) };
      log.push({ method, path: url.pathname, action, params: params.summary(), status: e.status, code: e.code, write: WRITE_ACTIONS.has(action), ...bug });
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const locate = (name: string): { domain: string; rr: string } => {
    const n = name.toLowerCase().replace(/\.$/, '');
    const domain = [...state.domains].filter((d) => n === d || n.endsWith(`.${d}`)).sort((a, b) => b.length - a.length)[0];
    if (!domain) throw new Error(`stand-in hosts no domain for ${name}`);
    return { domain, rr: n === domain ? '@' : n.slice(0, -(domain.length + 1)) };
  };

  return {
    url: `http://127.0.0.1:${port}`,
    settings,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        // The SDK keeps connections alive: close them, or close() waits for their idle timeout.
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    addDomain: (name) => {
      state.addDomain(name);
    },
    records: (domain) =>
      [...state.records.values()]
        .filter((r) => domain === undefined || r.DomainName === domain.toLowerCase())
        .sort((a, b) => Number(a.RecordId) - Number(b.RecordId))
        .map((r) => ({ ...r })),
    seedRecord: (seed) => ({ ...state.insert(seed) }),
    slbOpen: (name, type = 'A') => {
      const { domain, rr } = locate(name);
      return state.slbOpen(domain, rr, type.toUpperCase(), 'default');
    },
    setSlbOpen: (name, type, open) => {
      const { domain, rr } = locate(name);
      state.slb.set(slbKey(domain, rr, type.toUpperCase(), 'default'), open);
    },
    requests: () => log.map((r) => ({ ...r })),
    writes: () => log.filter((r) => r.write && r.status === 200).map((r) => ({ ...r })),
    clearRequests: () => {
      log.length = 0;
    },
    failNext: (count, failure) => failures.add(count, failure),
    throttleNext: (count, o = {}) =>
      failures.add(count, { status: o.status ?? settings.throttleStatus, code: 'Throttling.User', ...pick(o) }),
    unavailableNext: (count, o = {}) => {
      const status = o.status ?? 503;
      failures.add(count, { status, code: status === 500 ? 'InternalError' : 'ServiceUnavailable', ...pick(o) });
    },
    clearFailures: () => failures.clear(),
  };
}

function pick(o: { retryAfterS?: number; action?: string }): Pick<InjectedFailure, 'retryAfterS' | 'action'> {
  return { ...(o.retryAfterS !== undefined ? { retryAfterS: o.retryAfterS } : {}), ...(o.action !== undefined ? { action: o.action } : {}) };
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>, requestId: string, retryAfterS?: number): void {
  const headers: Record<string, string> = { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId };
  if (retryAfterS !== undefined) headers['retry-after'] = String(retryAfterS);
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw aliErrors.invalidParameter('Body', '(larger than 1 MiB)');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
