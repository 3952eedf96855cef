-- Update /etc/localtime with the zone configured in /etc/sysconfig/clock.

-- This needs to be kept in sync with /usr/sbin/tzdata-update.

local default = "US/Eastern"
local localtime = "/etc/localtime"
local sysconfig = "/etc/sysconfig/clock"
local zoneinfo = "/usr/share/zoneinfo/"

-- Extract the ZONE setting from /etc/sysconfig/clock.
-- Return nil on error or if the ZONE setting is missing from the file.
local function findzone(sysconfig)
  local f = io.open(sysconfig)
  local zone
  if f ~= nil then
    while true do
      local line = f:read()
      if line == nil then
        break
      end
      zone = string.match(line, '^[ \t]*ZONE[ \t]*=[ \t]*"?([^ \t\n"]*)')
      if zone ~= nil then
        break
      end
    end
    f:close()
  end
  return zone
end

-- Read the entire file PATH.  Returns nil on error.
local function readall(path)
  local f = io.open(path)
  if f == nil then
    return nil
  end
  local result = f:read("*a")
  f:close()
  return result
end

-- Replace the file at PATH with zoneinfo data ZONEDATA.
-- Do nothing if PATH refers to a symbolic link.
local function update(path, zonedata)
  if zonedata == nil then
    return
  end

  -- Do not replace symbolic links.
  local st = posix.stat(path)
  if st ~= nil and st.type == "link" then
    return
  end

  -- Avoid replacing an existing file with identical contents.
  local old = readall(path)
  if old ~= zonedata then
    -- Write temporary .tzupdate file and rename it into place.
    local tmp = path .. ".tzupdate"
    local f = io.open(tmp, "w+")
    if f == nil then
      return
    end
    f:write(zonedata)
    f:close()
    if not os.rename(tmp, path) then
      os.remove(tmp)
    end
  end
end

zone = findzone(sysconfig)
if zone ~= nil then
  local zonedata = readall(zoneinfo .. zone)
  if zonedata ~= nil then
    update(localtime, zonedata)
    update("/var/spool/postfix/etc/localtime", zonedata)
    return
  end
end

-- No valid zone configuration found.  Install the default zone
-- if /etc/localtime does not exist.
if posix.stat(localtime) == nil then
  local zonedata = readall(zoneinfo .. default)
  update(localtime, zonedata)
end
