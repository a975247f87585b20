/* stub of the firmware's or libc's stdlib.h: see nmshim.h */
#include "nmshim.h"
