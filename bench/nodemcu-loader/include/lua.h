/* stub of the firmware's or libc's lua.h: see nmshim.h */
#include "nmshim.h"
