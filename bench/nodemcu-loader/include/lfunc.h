/* stub of the firmware's or libc's lfunc.h: see nmshim.h */
#include "nmshim.h"
