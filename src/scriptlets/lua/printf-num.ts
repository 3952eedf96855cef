// C printf's %f %e %g for doubles, as glibc prints them: digits come from the exact binary
// value, a tie rounds half to even (JS toFixed & co. round it away from zero), and %f
// prints every digit of large values (toFixed switches to exponent notation at 1e21).

// explicit little-endian access: a Float64Array would follow the host's byte order (s390x hosts)
const view = new DataView(new ArrayBuffer(8));

/** C signbit: also true for -0 and for a NaN with its sign bit set (x86's 0/0 prints "-nan") */
function signBit(x: number): boolean {
  view.setFloat64(0, x, true);
  return (view.getUint8(7) & 0x80) !== 0;
}

/** C's %{flags}.{prec}{conv} of x for conv one of e E f g G, before any width */
export function formatFloat(x: number, conv: string, flags: string, prec = 6): string {
  const sign = signBit(x) ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  const a = Math.abs(x);
  const alt = flags.includes('#');
  const lower = conv === 'e' || conv === 'f' || conv === 'g';
  let s: string;
  if (!Number.isFinite(a)) s = Number.isNaN(a) ? 'nan' : 'inf';
  else s = conv === 'f' ? fixed(a, prec, alt) : conv === 'e' || conv === 'E' ? expo(a, prec, alt) : general(a, prec, alt);
  return sign + (lower ? s : s.toUpperCase());
}

/** tostring's %.14g */
export function numberToString(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e14) return Object.is(n, -0) ? '-0' : String(n);
  return formatFloat(n, 'g', '', 14);
}

/** a finite x >= 0 as m * 2^e exactly */
function split(x: number): { m: bigint; e: number } {
  view.setFloat64(0, x, true);
  const hi = view.getUint32(4, true);
  const lo = view.getUint32(0, true);
  const bexp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return bexp === 0 ? { m: frac, e: -1074 } : { m: frac | (1n << 52n), e: bexp - 1075 };
}

/** round(num / den), a tie to the even neighbour */
function roundDiv(num: bigint, den: bigint): bigint {
  const q = num / den;
  const twice = (num - q * den) * 2n;
  return twice > den || (twice === den && (q & 1n) === 1n) ? q + 1n : q;
}

/** x * 10^k exactly, as num / den; x finite and >= 0, k any integer */
function fraction(x: number, k: number): [bigint, bigint] {
  const { m, e } = split(x);
  let num = m;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  if (k >= 0) num *= 10n ** BigInt(k);
  else den *= 10n ** BigInt(-k);
  return [num, den];
}

/** round(x * 10^k), half to even */
function scaled(x: number, k: number): bigint {
  const [num, den] = fraction(x, k);
  return roundDiv(num, den);
}

/** %.{prec}f of a finite x >= 0 */
function fixed(x: number, prec: number, alt: boolean): string {
  const digits = scaled(x, prec).toString().padStart(prec + 1, '0');
  const int = digits.slice(0, digits.length - prec);
  return prec > 0 ? `${int}.${digits.slice(-prec)}` : alt ? int + '.' : int;
}

/**
 * x > 0 finite rounded to p significant digits: the digits, the decimal exponent of the
 * first, and whether rounding carried into a new power of ten (999.96 -> 1.00e+03)
 */
function significant(x: number, p: number): { digits: string; exp: number; carried: boolean } {
  if (x === 0) return { digits: '0'.repeat(p), exp: 0, carried: false };
  const quick = rounded(x, p);
  if (quick) return quick;
  // log10 can be one off near a power of ten: settle 10^exp <= x < 10^(exp+1) exactly
  let exp = Math.floor(Math.log10(x));
  for (let r = fraction(x, -exp); r[0] < r[1]; r = fraction(x, -exp)) exp--;
  for (let r = fraction(x, -exp - 1); r[0] >= r[1]; r = fraction(x, -exp - 1)) exp++;
  const digits = scaled(x, p - 1 - exp).toString();
  return digits.length > p ? { digits: digits.slice(0, p), exp: exp + 1, carried: true } : { digits, exp, carried: false };
}

/**
 * toExponential rounds exactly but takes a tie away from zero. A tie at p digits makes x a
 * (p+1)-digit decimal ending in 5, which for p <= 14 is x's shortest text: those go to the
 * BigInt path, and so does a 10..0 result (a carry from 9.99.. or not: unknown here).
 */
function rounded(x: number, p: number): { digits: string; exp: number; carried: boolean } | undefined {
  if (p > 14) return undefined;
  const short = x.toExponential();
  const e = short.indexOf('e');
  if (short.slice(0, e).replace('.', '').length === p + 1 && short[e - 1] === '5') return undefined;
  const t = x.toExponential(p - 1);
  const at = t.indexOf('e');
  const digits = p > 1 ? t[0]! + t.slice(2, at) : t.slice(0, at);
  const exp = Number(t.slice(at + 1));
  return digits === '1' + '0'.repeat(p - 1) ? undefined : { digits, exp, carried: false };
}

function withExp(mant: string, exp: number): string {
  return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** %.{prec}e of a finite x >= 0 */
function expo(x: number, prec: number, alt: boolean): string {
  const { digits, exp } = significant(x, prec + 1);
  return withExp(prec > 0 || alt ? `${digits[0]!}.${digits.slice(1)}` : digits, exp);
}

/** %.{prec}g of a finite x >= 0 */
function general(x: number, prec: number, alt: boolean): string {
  const p = prec === 0 ? 1 : prec;
  const quick = alt ? undefined : shortest(x, p);
  if (quick !== undefined) return quick;
  const { digits, exp, carried } = significant(x, p);
  // glibc quirk: '#' with a carry from fixed into exponent notation keeps no zeros (999.9 %#.3g: 1.e+03)
  if (alt && carried && exp === p) return withExp(`${digits[0]!}.`, exp);
  let s: string;
  if (exp < -4 || exp >= p) s = digits.length > 1 || alt ? `${digits[0]!}.${digits.slice(1)}` : digits;
  else if (exp < 0) s = `0.${'0'.repeat(-exp - 1)}${digits}`;
  else s = exp + 1 < p || alt ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : digits;
  if (!alt && s.includes('.')) s = s.replace(/\.?0+$/, '');
  return exp < -4 || exp >= p ? withExp(s, exp) : s;
}

/**
 * The hot case of tostring: JS's shortest round-trip text is %g's answer when it has at most
 * p <= 15 significant digits and no exponent either way (the p-digit grid is then coarser
 * than an ulp, so the nearest p-digit decimal is that text).
 */
function shortest(x: number, p: number): string | undefined {
  if (p > 15 || !(x >= 1e-4 && x < 1e15)) return undefined;
  const s = String(x);
  const sig = x >= 1 ? s.length - (s.includes('.') ? 1 : 0) : s.length - 2 - (s.slice(2).search(/[1-9]/));
  return sig <= p ? s : undefined;
}
