#pragma once
// `--progress`: a one-line bar on stderr redrawn from the run's progress events (epoch,
// step/total, loss, samples/s, ETA) and a final line with the outcome. An EventSink observer:
// called on the emitting thread under the sink's lock.

#include "proto/torchlight.pb.h"

#include <cstddef>
#include <cstdio>
#include <string>

namespace tl::runners {

class ProgressBar
{
public:
    explicit ProgressBar(std::FILE *out);

    void onEvent(const proto::RunEvent &event);

    // "epoch 1/2 [#####-----] step 120/250  loss 0.5432  112,345 samples/s  ETA 0:03"
    static std::string progressLine(const proto::ProgressEvent &progress);

private:
    void endLine();

    std::FILE *m_out;
    std::size_t m_drawnWidth = 0; // characters of the bar on screen; 0 when none is drawn
};

} // namespace tl::runners
