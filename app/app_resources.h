#pragma once
// Registers the resources compiled into tl_app (icons, the bundled sample experiment). A
// static library's resources are only linked in when something calls this; call it once
// after the Q(Core)Application exists, from main() and from the app tests.

namespace tl::app {

void initResources();

} // namespace tl::app
