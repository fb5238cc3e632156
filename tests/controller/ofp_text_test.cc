#include <gtest/gtest.h>

#include "controller/ofp_text.h"
