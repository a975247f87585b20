/* luac.cross: command-line front end (placeholder until the CLI lands). */
#include <stdio.h>
int main(void)
{
  fprintf(stderr, "luac.cross: not implemented yet\n");
  return 1;
}
