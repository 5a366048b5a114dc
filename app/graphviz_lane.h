#pragma once
// The one lane for all Graphviz calls (STYLE.md: libgvc is not thread-safe): a QThreadPool of
// one thread that lives as long as the app, running every graphviz::layoutGraph in submission
// order. Owned by the composition root (the main window); its destructor stops and joins the
// lane. Callers keep the returned future in a QFutureWatcher on the UI thread.

#include "base/result.h"
#include "graphviz/graph_layout.h"
#include "proto/torchlight.pb.h"

#include <QFuture>
#include <QThreadPool>

#include <memory>
#include <set>
#include <stop_token>
#include <string>

namespace tl::app {

class GraphvizLane
{
public:
    using LayoutResult = std::shared_ptr<base::Result<graphviz::GraphLayout>>;

    GraphvizLane();
    ~GraphvizLane();
    GraphvizLane(const GraphvizLane &) = delete;
    GraphvizLane &operator=(const GraphvizLane &) = delete;

    // Lays graph out with `expanded` open on the lane; `stop` cancels it between Graphviz
    // phases (the result is then ErrorCode::Cancelled).
    QFuture<LayoutResult> layout(std::shared_ptr<const proto::ViewGraph> graph,
                                 std::set<std::string> expanded,
                                 graphviz::CardSizer sizer,
                                 std::stop_token stop);

    // For callers that must run other Graphviz work on the lane.
    QThreadPool &pool() { return m_pool; }

private:
    QThreadPool m_pool;
    std::stop_source m_shutdown; // asked when the lane is destroyed
};

} // namespace tl::app
