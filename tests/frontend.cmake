# Front end (src/lex.c, src/parse.c, src/code.c, src/lineinfo.c,
# src/numeric.c): lexer and code generator unit tests.
lfsc_unit_test(test_lex test_lex.c)
lfsc_unit_test(test_code test_code.c)
