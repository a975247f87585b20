/* stub of the firmware's or libc's stdio.h: see nmshim.h */
#include "nmshim.h"
