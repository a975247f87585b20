/* stub of the firmware's or libc's fcntl.h: see nmshim.h */
#include "nmshim.h"
