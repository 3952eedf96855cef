// Number formatting as lua5.1 does it through glibc printf: written-down answers (so this
// fails without lua5.1 too), the same answers from lua5.1 when installed, and random doubles.
import { describe, expect, it } from 'vitest';
import { hasLua51, ourLua, realLua } from './helpers.js';

/** [Lua expression, what lua5.1 on x86-64 glibc prints for it] */
const CASES: [string, string][] = [
  // exact binary ties round half to even
  ['string.format("%.2f", 0.125)', '0.12'],
  ['string.format("%.2f", 0.375)', '0.38'],
  ['string.format("%.1f", 2.25)', '2.2'],
  ['string.format("%.0f %.0f %.0f %.0f", 0.5, 1.5, 2.5, -2.5)', '0 2 2 -2'],
  ['string.format("%.1e %.0e", 2.25, 25)', '2.2e+00 2e+01'],
  ['string.format("%.1g %.2g %.3g", 0.25, 2.5, 1.125)', '0.2 2.5 1.12'],
  // not a tie: 0.15 is below 0.15 in binary, 2.675 too
  ['string.format("%.1f %.2f", 0.15, 2.675)', '0.1 2.67'],
  // every digit of large values, exponents of three digits, the smallest subnormal
  ['string.format("%.0f", 1e22)', '10000000000000000000000'],
  ['string.format("%.2f", 2^70)', '1180591620717411303424.00'],
  ['string.format("%e|%E", 1e300, 1e-300)', '1.000000e+300|1.000000E-300'],
  ['string.format("%g", 5e-324)', '4.94066e-324'],
  ['string.format("%.20f", 5e-324)', '0.00000000000000000000'],
  ['string.format("%.17g", 0.1)', '0.10000000000000001'],
  ['string.format("%.25f", 0.1)', '0.1000000000000000055511151'],
  // %g: the exponent decides the notation, trailing zeros go unless '#'
  ['string.format("%g|%g|%g|%g|%g", 100000, 1000000, 0.0001, 0.00001, 999999.5)', '100000|1e+06|0.0001|1e-05|1e+06'],
  ['string.format("%#g|%#.3g|%#g|%#.0f|%#.0e|%#.0g", 1, 1, 0, 3, 5, 0.5)', '1.00000|1.00|0.00000|3.|5.e+00|0.5'],
  // glibc drops the zeros when '#' rounding carries %g from fixed into exponent notation
  ['string.format("%#g|%#.3g|%#g|%#.3g|%#g", 999999.5, 999.9, 99999.96, 99999.95, 0.000099999999)', '1.e+06|1.e+03|100000.|1.00e+05|0.000100000'],
  ['string.format("%G|%.0g|%.3G", 1e-20, 123, 0.00001234)', '1E-20|1e+02|1.23E-05'],
  // tostring is %.14g
  ['tostring(0.1 + 0.2)', '0.3'],
  ['tostring(123456789012345678)', '1.2345678901235e+17'],
  ['tostring(1/3) .. " " .. tostring(-2/3)', '0.33333333333333 -0.66666666666667'],
  ['tostring(1e14) .. " " .. tostring(99999999999999) .. " " .. tostring(2^53)', '1e+14 99999999999999 9.007199254741e+15'],
  ['tostring(2^-1074) .. " " .. tostring(1e100) .. " " .. tostring(0.0001) .. " " .. tostring(0.00001)', '4.9406564584125e-324 1e+100 0.0001 1e-05'],
  ['tostring(3.14159265358979) .. " " .. tostring(123456.789e3) .. " " .. tostring(-1.5)', '3.1415926535898 123456789 -1.5'],
  // negative zero (computed: a -0.0 literal shares lua5.1's constant slot with 0)
  ['(function(z) return tostring(-z) .. string.format("|%g|%f|%e|%.0f", -z, -z, -z, -z) end)(0)', '-0|-0|-0.000000|-0.000000e+00|-0'],
  ['string.format("%d|%d", (function(z) return -z end)(0), -0.5)', '0|0'],
  // inf and nan, signed as the bit says: x86's 0/0 has it set
  ['tostring(1/0) .. " " .. tostring(-1/0) .. " " .. tostring(0/0) .. " " .. tostring(-(0/0))', 'inf -inf -nan nan'],
  ['string.format("%f|%e|%g|%G|%E", 1/0, -1/0, 0/0, -(0/0), 1/0)', 'inf|-inf|-nan|NAN|INF'],
  ['string.format("%+f|% f|%+g", 1/0, -(0/0), -(0/0))', '+inf| nan|+nan'],
  ['string.format("[%010f][%-8g][%05g]", -1/0, 1/0, -(0/0))', '[      -inf][inf     ][  nan]'],
  // widths, zero padding (kept with a precision for floats, dropped for integers), flags
  ['string.format("[%5.1f][%05.1f][%08.3f][%-8.2f][%+08.2f][% 08.2f]", 2.25, 2.5, -3.14159, 1.5, 1.5, 1.5)', '[  2.2][002.5][-003.142][1.50    ][+0001.50][ 0001.50]'],
  ['string.format("[%012.3e][%-12.2e][%+.3e][%010g][%-10g]", -1.5, 1e-10, 12345.678, 1e-7, 0.5)', '[-001.500e+00][1.00e-10    ][+1.235e+04][000001e-07][0.5       ]'],
  ['string.format("[%05.3d][%05d][%#08.3x][%#05x][%05x][%+05d][% 05d]", 7, -42, 255, 255, 255, 3, 3)', '[  007][-0042][   0x0ff][0x0ff][000ff][+0003][ 0003]'],
  ['string.format("[%05s][%05c][%10q]", "ab", 65, "q")', '[   ab][    A]["q"]'],
  ['string.format("%99.2e|", -1.5):len()', '100'],
  ['#string.format("%.99f", 1e308)', '409'],
  // Lua 5.1 has no %F
  ['select(2, pcall(string.format, "%F", 1))', "invalid option '%F' to 'format'"],
];

describe('number formatting (written-down lua5.1 answers)', () => {
  const src = CASES.map(([e]) => `print(${e})`).join('\n');
  const want = CASES.map(([e, out]) => `${e} => ${out}`);
  const lines = (out: string): string[] => out.split('\n').slice(0, -1).map((l, n) => `${CASES[n]?.[0] ?? '?'} => ${l}`);

  it('our interpreter prints them', () => {
    const ours = ourLua(src);
    expect(ours.problems).toEqual([]);
    expect(lines(ours.out)).toEqual(want);
  });

  it.skipIf(!hasLua51)('lua5.1 prints them', () => {
    const real = realLua(src);
    expect(real.status, real.out).toBe(0);
    expect(lines(real.out)).toEqual(want);
  });
});

/** xorshift32: the same doubles on every run */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

/** finite doubles of every kind: any bit pattern, binary ties, everyday decimals, near powers of ten */
function randomDoubles(n: number, seed: number): number[] {
  const next = rng(seed);
  const view = new DataView(new ArrayBuffer(8));
  const out: number[] = [];
  while (out.length < n) {
    let x: number;
    switch (out.length % 4) {
      case 0: view.setUint32(0, next()); view.setUint32(4, next()); x = view.getFloat64(0); break;
      case 1: x = (next() % 100_000) / 2 ** (next() % 12); break;
      case 2: x = Number(((next() % 2_000_000) / 1000).toFixed(next() % 4)) * 10 ** ((next() % 30) - 15); break;
      default: x = 10 ** ((next() % 40) - 20) * (1 + ((next() % 5) - 2) * Number.EPSILON);
    }
    if (Number.isFinite(x) && x !== 0) out.push(next() % 3 === 0 ? -x : x);
  }
  return out;
}

const FORMATS = '%.14g|%.17g|%g|%#g|%.3f|%.0f|%12.4f|%e|%.10e|%.1e|%-+15.6G|%010.2f';

describe('random doubles (vs lua5.1)', () => {
  const xs = randomDoubles(2000, 20_261_207);
  // String(x) reads back to x in both: the same doubles go into each interpreter
  const src = `local f = string.format\nlocal function p(x) print(tostring(x) .. "|" .. f("${FORMATS}", x, x, x, x, x, x, x, x, x, x, x, x)) end\n`
    + xs.map((x) => `p(${String(x)})`).join('\n');

  it('%.17g reads back to the same double', () => {
    const ours = ourLua(xs.map((x) => `print(string.format("%.17g", ${String(x)}))`).join('\n'));
    expect(ours.out.split('\n').slice(0, -1).map(Number)).toEqual(xs);
  });

  it.skipIf(!hasLua51)('2,000 doubles through 13 formats print as lua5.1 prints them', () => {
    const real = realLua(src);
    expect(real.status).toBe(0);
    const ours = ourLua(src);
    expect(ours.problems).toEqual([]);
    const a = ours.out.split('\n');
    const b = real.out.split('\n');
    expect(a.length).toBe(xs.length + 1);
    const diff = a.flatMap((l, n) => (l === b[n] ? [] : [`${String(xs[n])}: ours ${l} lua5.1 ${b[n] ?? ''}`]));
    expect(diff.slice(0, 10)).toEqual([]);
  });
});
