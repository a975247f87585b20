/* stub of the firmware's or libc's setjmp.h: see nmshim.h */
#include "nmshim.h"
