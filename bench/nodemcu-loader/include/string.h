/* stub of the firmware's or libc's string.h: see nmshim.h */
#include "nmshim.h"
