#pragma once
// Feeds the runs table from the store and redraws a selected run's curves and evaluations:
// reads happen on the store lane, results arrive as queued calls. At start it marks runs a
// previous session left active (no worker is attached to them any more) as interrupted; remote
// runs go on without the app and are left to the remote runs controller. Lives on the UI thread.

#include "app/store_lane.h"
#include "store/run_records.h"
#include "views/models/run_row.h"

#include <QObject>

#include <cstdint>
#include <optional>

namespace tl::views {
class EvaluationView;
class RunsTableModel;
class ScalarChart;
} // namespace tl::views

namespace tl::app {

class RunsController : public QObject
{
    Q_OBJECT

public:
    // Points per tag when a finished run is redrawn (min/max buckets keep spikes).
    static constexpr int kRedrawBuckets = 2000;

    // Observes model, chart and evaluation; the caller keeps them alive longer than the
    // controller.
    RunsController(StoreLane &lane,
                   views::RunsTableModel &model,
                   views::ScalarChart &chart,
                   views::EvaluationView &evaluation,
                   QObject *parent = nullptr);

    // Marks runs left STARTING/RUNNING/PAUSED by an earlier session as interrupted, then
    // lists every run. Call once, when nothing of this session is training yet.
    void recoverAndRefresh();
    void refresh();
    // Redraws runId's curves and shows its latest evaluations from the store (a newer request
    // supersedes an older one).
    void showRun(std::int64_t runId);
    // A live run's row changed.
    void updateRun(const store::RunRecord &record, std::optional<double> testAccuracy);
    // The chart now shows a live run: a redraw still on its way must not overwrite it.
    void cancelRedraw();

    static views::RunRow toRow(const store::RunRecord &record, std::optional<double> testAccuracy);

signals:
    void runsListed(int count);
    void runShown(std::int64_t runId);
    void failed(const QString &message);

private:
    struct StoredRun;

    void applyRows(base::Result<std::vector<views::RunRow>> rows);
    void applyRun(std::int64_t runId, const StoredRun &run);

    StoreLane &m_lane;
    views::RunsTableModel &m_model;
    views::ScalarChart &m_chart;
    views::EvaluationView &m_evaluation;
    std::uint64_t m_showGeneration = 0;
};

} // namespace tl::app
