/* stub of the firmware's or libc's lstate.h: see nmshim.h */
#include "nmshim.h"
