// The Lua language as rpm 4.8 embeds it (5.1): each snippet's output from our interpreter
// is compared with the real lua5.1's, when it is installed (.ci/run installs it).
import { describe, expect, it } from 'vitest';
import { hasLua51, ourLua, realLua } from './helpers.js';

const CORPUS: Record<string, string> = {
  'arithmetic and number formatting': `
    print(10/3, 2^10, 7 % 3, -7 % 3, 7 % -3, 5.5 % 2, 1e15, 1e14, 99999999999999, 2^53, 1/0, -1/0)
    print(0.1 + 0.2, 1e-5, 123.456e10, 2^0.5, 8 % 3.5)`,
  'strings coerce to numbers and back': `
    print("10" + 1, "0x10" * 2, " 3 " * 1, 10 .. "", 1.5 .. "|", #"abc", "a" < "b", "Z" < "a", "" < "a")
    print(tonumber("  12  "), tonumber("1e2"), tonumber("z", 36), tonumber("ff", 16), tonumber("8", 8), tonumber(""), tonumber("1x"))`,
  'closures capture per-iteration locals': `
    local fs = {}
    for i = 1, 3 do fs[i] = function() return i end end
    local j = 0
    while j < 3 do j = j + 1; local k = j; fs[#fs + 1] = function() return k * 10 end end
    local out = {}
    for _, f in ipairs(fs) do out[#out + 1] = f() end
    print(table.concat(out, " "))
    local function counter() local n = 0 return function() n = n + 1 return n end end
    local a, b = counter(), counter()
    a() a()
    print(a(), b())`,
  'varargs, select and multiple results': `
    local function f(...) return select('#', ...), ... end
    print(f(1, nil, 3))
    print(select(-1, "a", "b", "c"), select(2, "a", "b", "c"))
    local function g() return 1, 2, 3 end
    local t = {g(), g()}
    print(#t, (g()), ({g()})[3])
    local x, y, z = g(), 10
    print(x, y, z)
    print(unpack({1, 2, 3}))
    local function h(a, ...) local n = {...} return a, #n, select("#", ...) end
    print(h(1, 2, 3))`,
  'string patterns': `
    print(string.find("hello world", "o w"), string.find("hello", "l+"), string.find("a.b", ".", 1, true))
    print(string.match("key = val", "^(%w+)%s*=%s*(%w+)$"), string.match("  trim  ", "^%s*(.-)%s*$") .. "|")
    print(string.match("2024-01-05", "(%d+)-(%d+)-(%d+)"))
    print(string.find("THE (quick) fox", "%((%a+)%)"), string.match("[[x]]", "%[(%b[])%]"))
    print(string.match("hello", "()ll()"), string.find("abc", "b", -10), string.find("", ""))
    print(string.match("f(a(b)c)d", "%b()"), string.match("THE quick", "%f[%a]%a+", 4))
    print(string.match("aaa", "a-b"), string.match("aaab", "a-b"), string.match("abab", "(ab)%1"))
    print(string.find("x*y", "*", 1, true), string.match("a+b", "a%+b"), string.match("[x]", "[%[]"))
    print(string.match("ZONE=\\"Europe/Prague\\"", '^ZONE="([^"]*)"'), string.match("x", "[^%s]"), string.match("-12", "^[+-]?%d+$"))
    print(pcall(string.find, "a", "(a"), pcall(string.match, "a", "%"))`,
  'gsub with strings, tables and functions': `
    print(string.gsub("hello world", "o", "0"))
    print(string.gsub("hello world", "(%w+)", "<%1>"))
    print(string.gsub("abc", "%w", "%0%0"), string.gsub("hello", "", "-"))
    print(string.gsub("$name is $age", "%$(%w+)", {name = "Bob", age = 42}))
    print(string.gsub("abc", ".", function(c) return c:upper() .. "." end))
    print(string.gsub("a b c", " ", "_", 1), string.gsub("abc", "^a", "A"), string.gsub("x", "x", "%%"))
    print(string.gsub("keep", "e", function() return nil end), string.gsub("abc", "(b)", false and 1 or "[%1]"))`,
  'gmatch': `
    for k, v in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do io.write(k, v, ";") end print()
    for w in ("one two  three"):gmatch("%S+") do io.write("[", w, "]") end print()
    for w in string.gmatch("abc", "") do io.write("|") end print()`,
  'string functions': `
    print(("x"):rep(3), ("abc"):sub(2), ("abc"):sub(-2, -1), ("abc"):sub(0), ("abc"):sub(3, 2), ("abc"):upper(), ("ABC"):lower())
    print(string.byte("ABC"), string.byte("ABC", 1, -1))
    print(string.char(72, 105), ("abc"):reverse(), ("abc"):len(), #"\\0ab", "\\65\\066\\t|")
    print(string.format("%5.2f|%d|%s|%q|%x|%X|%o|%g|%g|%e", 3.14159, 42, "hi", 'a"b\\n', 255, 255, 8, 1e20, 0.0001, 12345.678))
    print(string.format("%-5s|%05d|%+d|%.3s|%5s|%c|%%|%i", "ab", 42, 5, "abcdef", "x", 65, -3))
    print(string.format("%s %s", 1, "s"), (pcall(string.format, "%s", true)), string.format("%10.4f|%-10d|", 1/3, 7))
    print([[long
string]], [==[with ]] inside]==])`,
  'tables: length, next, sort, insert, remove, concat': `
    local t = {10, 20, 30, x = 1}
    table.insert(t, 40) table.insert(t, 1, 5)
    print(#t, table.concat(t, ","), table.remove(t), table.remove(t, 1), table.concat(t, ","))
    local s = {"pear", "apple", "fig", "banana"}
    table.sort(s) print(table.concat(s, " "))
    table.sort(s, function(a, b) return #a < #b end) print(s[1], s[4])
    local n = {5, 2, 8, 1, 9, 3} table.sort(n, function(a, b) return a > b end) print(table.concat(n, " "))
    local keys = {} for k in pairs({a = 1, b = 2, c = 3}) do keys[#keys + 1] = k end table.sort(keys) print(table.concat(keys))
    local cnt = 0 for i, v in ipairs({1, 2, nil, 4}) do cnt = cnt + 1 end print(cnt, next({}), table.maxn({[7] = 1}))
    local u = {} u.a = 1 u.a = nil print(next(u), rawget(u, "a"), #u)`,
  'control flow': `
    local out = {}
    for i = 10, 1, -3 do out[#out + 1] = i end
    for i = 1, 2, 0.5 do out[#out + 1] = i end
    local i = 0 repeat local j = i i = i + 1 until j >= 2
    out[#out + 1] = i
    for k = 1, 10 do if k == 3 then break end out[#out + 1] = "k" .. k end
    while true do i = i + 1 if i > 5 then break end end
    out[#out + 1] = i
    print(table.concat(out, ","))
    if nil then print("no") elseif false then print("no") else print("else") end
    print(1 and 2, nil and 1, false or "x", nil or false, not nil, not 0)`,
  'errors, pcall and error objects': `
    print(pcall(error, "boom", 0), pcall(error, {code = 1}), select(2, pcall(error)))
    local ok, e = pcall(function() local t = nil; return t.x end) print(ok, type(e))
    local ok2, e2 = pcall(error, setmetatable({}, {__tostring = function() return "obj" end})) print(ok2, tostring(e2))
    print(xpcall(function() error("x", 0) end, function(m) return "handled " .. m end))
    print(type(select(2, pcall(function() error({}) end))))
    print(select("#", pcall(function() return 1, 2 end)), assert(1, "m"), pcall(assert, false, "msg"), pcall(assert, nil))`,
  'metatables': `
    local d = setmetatable({}, {__index = function(t, k) return k .. "!" end})
    print(d.hi, rawget(d, "hi"))
    local base = {greet = function(self) return "hi " .. self.name end}
    local obj = setmetatable({name = "o"}, {__index = base})
    print(obj:greet(), getmetatable(obj).__index == base)
    local log = {}
    local p = setmetatable({}, {__newindex = function(t, k, v) rawset(t, k, v * 2) end, __call = function(self, a) return a + 1 end})
    p.x = 5 print(p.x, p(41), getmetatable("").__index == string)`,
  'recursion and string building': `
    local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
    print(fib(20))
    local parts = {} for i = 1, 100 do parts[i] = string.format("%03d", i) end
    local s = table.concat(parts) print(#s, s:sub(1, 9), s:sub(-3))
    local function tail(n) if n == 0 then return "done" end return tail(n - 1) end print(tail(100))`,
  'loadstring and globals': `
    local f = loadstring("return 1 + ...") print(f(41), _G.print == print, _VERSION, type(_G))
    x = 5 _G.y = 6 print(x + y, (loadstring("syntax error here")))
    print(type(os.time()), type(os.getenv("PATH")), os.getenv("NO_SUCH_VARIABLE_HERE"))`,
};

describe('lua language (vs lua5.1)', () => {
  for (const [name, src] of Object.entries(CORPUS)) {
    it.skipIf(!hasLua51)(name, () => {
      const real = realLua(src);
      expect(real.status, real.out).toBe(0);
      const ours = ourLua(src);
      expect(ours.problems).toEqual([]);
      expect(ours.out).toBe(real.out);
    });
  }
});
