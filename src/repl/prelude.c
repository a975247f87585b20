/* What lfsimg run does before its command line, the same on both host
 * runtimes, so written once in Lua (see repl.h: lfsc_repl_prelude). */
#include "repl.h"

/* Arguments: host (search the host's package.path and cpath too), mocks
 * (a file to run first, or nil).
 *
 * require looks where the firmware looks once an image's _init.lua has
 * run: preload, then Lua files as ?.lc;?.lua in the current directory
 * (the device's file system), then the image, in place of the C searcher
 * at package.loaders[3] -- so an _init that puts its own LFS searcher
 * there changes nothing. The host's directories come only with host, and
 * after the image: a module installed on the host (Debian's lua-fifo)
 * never shadows the image's. Its C searchers stay behind (4 and 5), so C
 * modules still load after an _init has taken 3.
 *
 * The mocks file stands in for the firmware's C modules (tmr, gpio,
 * wifi...); when it replaces the node table, node.LFS and the flash
 * functions are put back, and node.info keeps answering 'lfs'. */
const char lfsc_repl_prelude[] =
    "local host, mocks = ...\n"
    "local lfs_get = node.LFS.get\n"
    "local searchers = package.loaders or package.searchers\n"
    "local hostpath = package.path\n"
    "package.path = '?.lc;?.lua'\n"
    "if not host then package.cpath = '' end\n"
    "local function from_image(name)\n"
    "  local f = type(name) == 'string' and lfs_get(name)\n"
    "  if f then return f end\n"
    "  return \"\\n\\tno module '\" .. tostring(name) .. \"' in the image\"\n"
    "end\n"
    "local function from_host(name)\n"
    "  local file, tried = name:gsub('%.', '/'), {}\n"
    "  for t in hostpath:gmatch('[^;]+') do\n"
    "    local p = t:gsub('%?', file)\n"
    "    local h = io.open(p)\n"
    "    if h then h:close(); return assert(loadfile(p)) end\n"
    "    tried[#tried + 1] = \"\\n\\tno file '\" .. p .. \"'\"\n"
    "  end\n"
    "  return table.concat(tried)\n"
    "end\n"
    "table.insert(searchers, 3, from_image)\n"
    "if host then table.insert(searchers, 4, from_host) end\n"
    "if mocks then\n"
    "  local ours = node\n"
    "  dofile(mocks)\n"
    "  if type(node) ~= 'table' then node = {} end\n"
    "  if node ~= ours then\n"
    "    for _, k in ipairs({'LFS', 'flashindex', 'flashreload'}) do node[k] = ours[k] end\n"
    "    local info = node.info\n"
    "    node.info = info and function(group, ...)\n"
    "      if group == 'lfs' then return ours.info(group, ...) end\n"
    "      return info(group, ...)\n"
    "    end or ours.info\n"
    "  end\n"
    "end\n";
