/* stub of the firmware's or libc's lzio.h: see nmshim.h */
#include "nmshim.h"
