#include "views/models/run_row.h"

namespace tl::views {} // namespace tl::views
