-- counter: prints when it is loaded, so require() caching shows
print("counter loaded")
local n = 0
return function() n = n + 1; return n end
