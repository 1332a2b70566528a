// Error codes the stand-in answers with. "observed" ones are what the real API returns (seen in
// the vendor's docs and in public bug reports); "stand-in" ones are placeholders where Cloudflare's
// exact code is undocumented — tests should key on the observed ones only.
export const ERR = {
  /** observed: generic DNS validation failure, details in error_chain. */
  dnsValidation: 1004,
  /** observed: content of an A record is not an IPv4 address. */
  invalidIPv4: 9005,
  /** observed: content of an AAAA record is not an IPv6 address. */
  invalidIPv6: 9006,
  /** observed: TTL outside 1 or [plan minimum, 86400]. */
  invalidTtl: 9021,
  /** observed: "An identical record already exists." */
  identicalRecord: 81058,
  /** observed: an A/AAAA/CNAME at a name that holds a CNAME (or a CNAME next to others). */
  cnameConflict: 81053,
  /** observed: "Record does not exist." */
  recordNotFound: 81044,
  /** observed: no Authorization / X-Auth-* header at all. */
  missingAuth: 9106,
  /** observed: "Invalid request headers" with 6111 chained for a malformed Authorization header. */
  invalidHeaders: 6003,
  invalidAuthFormat: 6111,
  /** observed: a well-formed token that is not valid ("Invalid access token"), HTTP 403. */
  invalidToken: 9109,
  /** observed: legacy X-Auth-Key/X-Auth-Email that are not known, HTTP 403. */
  unknownAuthKey: 9103,
  /** observed: the per-token rate limit, HTTP 429. */
  rateLimited: 971,
  /** observed: "Could not route to ..., perhaps your object identifier is invalid?" */
  noRoute: 7003,
  /** observed: request body is not valid JSON. */
  malformedJson: 6007,
  /** stand-in: generic invalid request (bad pagination, wrong field types). */
  invalidRequest: 1001,
  /** stand-in: load balancing object invalid or missing. */
  lbInvalid: 1002,
  lbNotFound: 1003,
  /** stand-in: a pool still referenced by a load balancer cannot be deleted. */
  poolInUse: 1005,
  /** stand-in: an injected internal error. */
  internal: 10001,
} as const;
