-- A stand-in for copy_jdk_configs.lua (copy-jdk-configs' Source0, which the tool library does
-- not hold): like the real one it reads the arg table java's %pretrans sets, looks for older
-- JVMs of the same name under --jvmdir and records them under --temp.
local args = {}
-- (no closing long bracket in here: the script is written out inside a long string)
for i = 1, #arg, 2 do local k = arg[i]; args[k] = arg[i + 1] end
local found = {}
local entries = posix.dir(args["--jvmdir"])
if entries then
  for _, e in ipairs(entries) do
    if e ~= "." and e ~= ".." and string.find(e, args["--origname"], 1, true) == 1 and e ~= args["--currentjvm"] then
      found[#found + 1] = e
    end
  end
end
table.sort(found)
if #found > 0 then
  posix.mkdir(args["--temp"])
  local f = io.open(args["--temp"] .. "/olds", "w")
  f:write(table.concat(found, "\n"), "\n")
  f:close()
  posix.chmod(args["--temp"] .. "/olds", "0600")
end
