-- lua5.1 runall.lua CHUNK...: run the chunks in order in one state.
for i = 1, select("#", ...) do
  dofile((select(i, ...)))
end
