/* stub of the firmware's or libc's vfs.h: see nmshim.h */
#include "nmshim.h"
