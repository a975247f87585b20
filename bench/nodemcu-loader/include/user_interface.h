/* stub of the firmware's or libc's user_interface.h: see nmshim.h */
#include "nmshim.h"
