/* stub of the firmware's or libc's platform.h: see nmshim.h */
#include "nmshim.h"
