-- v2: only in the second image (reload tests)
return "version two"
