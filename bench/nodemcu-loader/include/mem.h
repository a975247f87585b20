/* stub of the firmware's or libc's mem.h: see nmshim.h */
#include "nmshim.h"
