#include "controller/ofp_text.h"
