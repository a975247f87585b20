/* stub of the firmware's or libc's lobject.h: see nmshim.h */
#include "nmshim.h"
