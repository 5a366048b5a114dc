// torchlight-worker: the headless process that trains (DESIGN.md, "The one idea").
#include "runners/worker_cli.h"

int main(int argc, char **argv)
{
    return tl::runners::runWorker(argc, argv);
}
