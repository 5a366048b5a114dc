#include "app/graphviz_lane.h"

#include <QtConcurrent/QtConcurrentRun>

namespace tl::app {

GraphvizLane::GraphvizLane()
{
    m_pool.setObjectName(QStringLiteral("tl-graphviz-lane"));
    m_pool.setMaxThreadCount(1);
    // One thread for the app's lifetime: Graphviz's globals never see a second thread.
    m_pool.setExpiryTimeout(-1);
}

GraphvizLane::~GraphvizLane()
{
    m_shutdown.request_stop();
    m_pool.clear();
    m_pool.waitForDone();
}

QFuture<GraphvizLane::LayoutResult>
GraphvizLane::layout(std::shared_ptr<const proto::ViewGraph> graph,
                     std::set<std::string> expanded,
                     graphviz::CardSizer sizer,
                     std::stop_token stop)
{
    return QtConcurrent::run(
        &m_pool,
        [graph = std::move(graph), expanded = std::move(expanded), sizer = std::move(sizer),
         stop = std::move(stop), shutdown = m_shutdown.get_token()]() -> LayoutResult {
            // Either the caller or the lane's end stops the layout.
            std::stop_source both;
            std::stop_callback byCaller(stop, [&both] { both.request_stop(); });
            std::stop_callback byShutdown(shutdown, [&both] { both.request_stop(); });
            return std::make_shared<base::Result<graphviz::GraphLayout>>(
                graphviz::layoutGraph(*graph, expanded, sizer, both.get_token()));
        });
}

} // namespace tl::app
