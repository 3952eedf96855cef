/** String order by UTF-16 code unit, as `<` compares: locale-free, so sorted output is the same on every host. */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
