#include "runners/number_text.h"

#include <cstdio>

namespace tl::runners {

std::string percentText(double fraction)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.2f%%", fraction * 100);
    return text;
}

} // namespace tl::runners
