-- greet: a module returning a table of functions
local M = {}
function M.hello(who) return "hello " .. who end
return M
