#include "app/runs_controller.h"

#include "views/evaluation_view.h"
#include "views/models/runs_table_model.h"
#include "views/scalar_chart.h"

#include <set>

namespace tl::app {

// What a selected run shows: its curves and the latest evaluation of each split.
struct RunsController::StoredRun
{
    std::vector<views::ChartPoint> points;
    std::vector<proto::EvaluationEvent> evaluations;
};

namespace {

constexpr const char *kTestAccuracyTag = "test/accuracy";

bool isActive(proto::RunState state)
{
    return state == proto::RUN_STATE_STARTING || state == proto::RUN_STATE_RUNNING
           || state == proto::RUN_STATE_PAUSED;
}

// On the lane: every run with its last test accuracy.
base::Result<std::vector<views::RunRow>> listRuns(store::RunStore &store)
{
    base::Result<std::vector<store::RunRecord>> runs = store.runs();
    if (!runs) {
        return runs.error();
    }
    std::vector<views::RunRow> rows;
    rows.reserve(runs.value().size());
    for (const store::RunRecord &run : runs.value()) {
        base::Result<std::vector<store::ScalarPoint>> accuracy =
            store.scalars(run.id, kTestAccuracyTag);
        std::optional<double> last;
        if (accuracy && !accuracy.value().empty()) {
            last = accuracy.value().back().value;
        }
        rows.push_back(RunsController::toRow(run, last));
    }
    return rows;
}

// On the lane: every tag of a run, folded to at most `buckets` points each.
base::Result<std::vector<views::ChartPoint>>
runCurves(store::RunStore &store, std::int64_t runId, int buckets)
{
    base::Result<std::vector<std::string>> tags = store.tags(runId);
    if (!tags) {
        return tags.error();
    }
    std::vector<views::ChartPoint> points;
    for (const std::string &tag : tags.value()) {
        base::Result<std::vector<store::ScalarBucket>> series =
            store.scalarsForWidth(runId, tag, buckets);
        if (!series) {
            return series.error();
        }
        for (const store::ScalarBucket &bucket : series.value()) {
            if (bucket.count > 0 && bucket.firstStep == bucket.lastStep) {
                points.push_back({tag, bucket.lastStep, bucket.meanValue});
            } else if (bucket.count > 0) {
                points.push_back({tag, (bucket.firstStep + bucket.lastStep) / 2, bucket.meanValue});
            }
        }
    }
    return points;
}

} // namespace

RunsController::RunsController(StoreLane &lane,
                               views::RunsTableModel &model,
                               views::ScalarChart &chart,
                               views::EvaluationView &evaluation,
                               QObject *parent)
    : QObject(parent)
    , m_lane(lane)
    , m_model(model)
    , m_chart(chart)
    , m_evaluation(evaluation)
{}

views::RunRow RunsController::toRow(const store::RunRecord &record,
                                    std::optional<double> testAccuracy)
{
    views::RunRow row;
    row.id = record.id;
    row.name = record.name;
    row.state = record.state;
    row.statusMessage = record.statusMessage;
    row.createdAt = record.createdAt;
    row.finishedAt = record.finishedAt;
    row.epoch = record.epoch;
    row.step = record.step;
    row.totalSteps = record.totalSteps;
    row.testAccuracy = testAccuracy;
    row.device = record.device;
    return row;
}

void RunsController::recoverAndRefresh()
{
    m_lane.call<std::vector<views::RunRow>>(
        this,
        [](store::RunStore &store, std::stop_token) -> base::Result<std::vector<views::RunRow>> {
            base::Result<std::vector<store::RunRecord>> runs = store.runs();
            if (!runs) {
                return runs.error();
            }
            // A remote run goes on without this app: the remote runs controller follows it.
            base::Result<std::vector<store::RemoteJobRecord>> remote = store.remoteJobs();
            if (!remote) {
                return remote.error();
            }
            std::set<std::int64_t> remoteRuns;
            for (const store::RemoteJobRecord &job : remote.value()) {
                remoteRuns.insert(job.runId);
            }
            for (const store::RunRecord &run : runs.value()) {
                if (!isActive(run.state) || remoteRuns.contains(run.id)) {
                    continue;
                }
                base::Result<bool> marked = store.markInterrupted(
                    run.id, "Torchlight was closed while this run was active; no worker is "
                            "attached to it any more.");
                if (!marked) {
                    return marked.error();
                }
            }
            return listRuns(store);
        },
        [this](base::Result<std::vector<views::RunRow>> rows) { applyRows(std::move(rows)); });
}

void RunsController::refresh()
{
    m_lane.call<std::vector<views::RunRow>>(
        this, [](store::RunStore &store, std::stop_token) { return listRuns(store); },
        [this](base::Result<std::vector<views::RunRow>> rows) { applyRows(std::move(rows)); });
}

void RunsController::applyRows(base::Result<std::vector<views::RunRow>> rows)
{
    if (!rows) {
        emit failed(QString::fromStdString(rows.error().describe()));
        return;
    }
    const int count = static_cast<int>(rows.value().size());
    m_model.setRuns(std::move(rows).value());
    emit runsListed(count);
}

void RunsController::showRun(std::int64_t runId)
{
    const std::uint64_t generation = ++m_showGeneration;
    m_lane.call<StoredRun>(
        this,
        [runId](store::RunStore &store, std::stop_token) -> base::Result<StoredRun> {
            base::Result<std::vector<views::ChartPoint>> points =
                runCurves(store, runId, kRedrawBuckets);
            if (!points) {
                return points.error();
            }
            base::Result<std::vector<store::EvaluationRecord>> evaluations =
                store.evaluations(runId);
            if (!evaluations) {
                return evaluations.error();
            }
            StoredRun run{std::move(points).value(), {}};
            for (store::EvaluationRecord &record : std::move(evaluations).value()) {
                run.evaluations.push_back(std::move(record.evaluation));
            }
            return run;
        },
        [this, runId, generation](base::Result<StoredRun> run) {
            if (generation != m_showGeneration) {
                return; // the user selected another run meanwhile
            }
            if (!run) {
                emit failed(QString::fromStdString(run.error().describe()));
                return;
            }
            applyRun(runId, run.value());
        });
}

void RunsController::applyRun(std::int64_t runId, const StoredRun &run)
{
    m_chart.clear();
    const views::RunRow *row = m_model.runAt(m_model.rowOf(runId));
    m_chart.setTitle(row ? QString::fromStdString(row->name) : QString());
    m_chart.appendPoints(run.points);
    m_evaluation.setEvaluations(run.evaluations);
    emit runShown(runId);
}

void RunsController::updateRun(const store::RunRecord &record, std::optional<double> testAccuracy)
{
    m_model.upsertRun(toRow(record, testAccuracy));
}

void RunsController::cancelRedraw()
{
    ++m_showGeneration;
}

} // namespace tl::app
