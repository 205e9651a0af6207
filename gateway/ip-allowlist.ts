// api_keys.ip_whitelist: a JSON array of single addresses and CIDR ranges,
// IPv4 and IPv6 ("203.0.113.7", "10.0.0.0/8", "2001:db8::/32", "::1").
// null = any address; an empty array allows none. Entries that do not parse
// are skipped (and reported), so a typo never widens access.
import { BlockList, isIP } from 'node:net';

export interface AllowList {
  /** True when `address` (as normalizeAddress returns it) may use the key. */
  allows(address: string): boolean;
  /** Entries that did not parse (ignored). */
  readonly invalid: readonly string[];
}

const ANY: AllowList = { allows: () => true, invalid: [] };

/**
 * uWS reports IPv4 peers of a dual-stack listener as IPv4-mapped IPv6 in full
 * hex ("0000:...:ffff:7f00:0001"); this returns "127.0.0.1" for those and the
 * input otherwise.
 */
export function normalizeAddress(text: string): string {
  const lower = text.toLowerCase();
  const hexMapped = /^(?:0{1,4}:){5}ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped !== null) {
    const hi = Number.parseInt(hexMapped[1]!, 16);
    const lo = Number.parseInt(hexMapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  const dotted = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(lower);
  if (dotted !== null) return dotted[1]!;
  return lower;
}

export function parseAllowList(json: unknown): AllowList {
  if (json === null || json === undefined) return ANY;
  const list = new BlockList();
  const invalid: string[] = [];
  const entries = Array.isArray(json) ? json : [json];
  for (const entry of entries) {
    if (typeof entry !== 'string' || !addEntry(list, entry.trim())) invalid.push(String(entry));
  }
  return {
    invalid,
    allows(address: string): boolean {
      const family = isIP(address);
      if (family === 0) return false;
      return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

function addEntry(list: BlockList, entry: string): boolean {
  const slash = entry.indexOf('/');
  const addr = normalizeAddress(slash < 0 ? entry : entry.slice(0, slash));
  const family = isIP(addr);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash < 0) {
    list.addAddress(addr, type);
    return true;
  }
  const prefixText = entry.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return false;
  const prefix = Number(prefixText);
  if (prefix > (family === 4 ? 32 : 128)) return false;
  list.addSubnet(addr, prefix, type);
  return true;
}
