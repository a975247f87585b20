/* stub of the firmware's or libc's lauxlib.h: see nmshim.h */
#include "nmshim.h"
