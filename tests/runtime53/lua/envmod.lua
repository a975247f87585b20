-- envmod: reads a global through _ENV, its first upvalue
return SEEN
