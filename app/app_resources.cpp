#include "app/app_resources.h"

#include <QtCore/qglobal.h>

// Q_INIT_RESOURCE must be used outside any namespace.
static void initTorchlightResources()
{
    Q_INIT_RESOURCE(torchlight);
}

namespace tl::app {

void initResources()
{
    initTorchlightResources();
}

} // namespace tl::app
