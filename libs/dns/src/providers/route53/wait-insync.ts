// Bounded GetChange polling until a change is INSYNC (propagated to every Route53 server).
import { DnsProviderError } from '../../model.js';
import type { ChangeInfo } from '@aws-sdk/client-route-53';
import type { CallCounter, Route53Api } from './api.js';

export interface InsyncPolling {
  pollIntervalMs: number;
  maxPolls: number;
}

export async function waitForInsync(api: Route53Api, info: ChangeInfo, polling: InsyncPolling, counter: CallCounter): Promise<void> {
  let status = info.Status;
  const id = info.Id ?? '';
  for (let poll = 0; status !== 'INSYNC'; poll++) {
    if (poll >= polling.maxPolls) {
      // The change is committed but not yet live; a further change now would be refused with
      // PriorRequestNotComplete, so report it under that (retryable) code.
      throw new DnsProviderError(`route53: change ${id} still ${status} after ${polling.maxPolls} polls`, undefined, 'PriorRequestNotComplete');
    }
    await new Promise((r) => setTimeout(r, polling.pollIntervalMs));
    status = (await api.getChange(id, counter)).Status;
  }
}
