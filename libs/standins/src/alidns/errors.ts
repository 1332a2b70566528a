// AliDNS (POP RPC gateway) errors: the HTTP status and body `{ RequestId, HostId, Code, Message,
// Recommend }` the real endpoint answers. Codes and messages follow the vendor's error center
// (https://help.aliyun.com/document_detail/2355841.html) and the POP gateway's common errors.

export class AliApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Only set by failure injection: AliDNS itself sends no Retry-After. */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

/** Every error the stand-in answers, by cause. */
export const aliErrors = {
  /** The POP gateway's answer for any absent required parameter, common or per action. */
  missing: (name: string) => new AliApiError(400, `Missing${name}`, `${name} is mandatory for this action.`),
  invalidParameter: (name: string, why?: string) =>
    new AliApiError(400, 'InvalidParameter', `Specified parameter ${name} is not valid.${why ? ` ${why}` : ''}`),
  unknownParameter: (name: string, action: string) =>
    new AliApiError(400, 'InvalidParameter', `Specified parameter ${name} is not valid. (stand-in: ${action} takes no parameter ${name})`),
  invalidVersion: () => new AliApiError(400, 'InvalidVersion', 'Specified parameter Version is not valid.'),
  unknownAction: (action: string) =>
    new AliApiError(404, 'InvalidAction.NotFound', `Specified api is not found, please check your url and method. (${action})`),
  unsupportedMethod: () => new AliApiError(400, 'UnsupportedHTTPMethod', 'Specified http method is not supported.'),
  timestampFormat: () => new AliApiError(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.'),
  timestampExpired: () => new AliApiError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.'),
  nonceUsed: () => new AliApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.'),
  accessKeyNotFound: () => new AliApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.'),
  signatureMismatch: () =>
    new AliApiError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.'),
  throttled: (status: number, retryAfterS?: number) =>
    new AliApiError(status, 'Throttling.User', 'Request was denied due to user flow control.', retryAfterS),
  internal: () =>
    new AliApiError(500, 'InternalError', 'The request processing has failed due to some unknown error, exception or failure.'),
  unavailable: () =>
    new AliApiError(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.'),
  domainNotFound: (domain: string) =>
    new AliApiError(400, 'InvalidDomainName.NoExist', `The domain name does not exist: ${domain}.`),
  /** DescribeDomains with a GroupId the account has no group of. */
  domainGroupNotFound: () => new AliApiError(400, 'InvalidDomainGroup.NotExist', 'The domain group name is not exist.'),
  recordNotFound: () => new AliApiError(400, 'DomainRecordNotBelongToUser', 'The DNS record does not belong to you.'),
  recordDuplicate: () => new AliApiError(400, 'DomainRecordDuplicate', 'The DNS record already exists.'),
  recordConflict: () => new AliApiError(400, 'DomainRecordConflict', 'The DNS record conflicts with other records.'),
  recordLocked: () => new AliApiError(400, 'DomainRecordLocked', 'The domain record has been locked.'),
  recordDisabled: () => new AliApiError(400, 'DomainRecordDisable', 'The domain record is disable.'),
  ttlBelowEdition: (min: number) =>
    new AliApiError(400, 'QuotaExceeded.TTL', `The TTL is below the minimum of this DNS edition (${min}).`),
  /** Spelling as in the vendor's UpdateDNSSLBWeight reference ("InvalidWeigth"). */
  invalidWeight: () => new AliApiError(400, 'InvalidWeigth', 'The weigth value is invalid.'),
  slbClosed: () => new AliApiError(400, 'DisableDNSSLB', "The subdomain's DNS SLB status is closed."),
  /**
   * The user guide makes "several A/AAAA/CNAME records at the same host and line" the prerequisite
   * of weighting; the API reference names no code for it, so this one is the stand-in's assumption.
   */
  slbTooFewRecords: (min: number) =>
    new AliApiError(400, 'InvalidParameter', `Specified parameter SubDomain is not valid. Weighting needs at least ${min} enabled records of this type and line.`),
  slbQuota: (max: number) =>
    new AliApiError(400, 'LineDnsSlb.QuotaExceeded', `Weighted round robin supports at most ${max} records per host, type and line.`),
} as const;
