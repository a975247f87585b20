-- uses: requires other LFS modules (through _init's searcher)
local greet = require("greet")
local count = require("counter")
return {
  twice = function(who) return greet.hello(who) .. "!" end,
  count = count,
}
