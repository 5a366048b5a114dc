#pragma once
// The remote jobs table: one row per run pushed to a remote platform, as the remote runs
// controller last saw it (the scheduler's state and reason, the host and the job id). Lives on
// the UI thread; fed JobRow structs, never reads the store or the network.

#include "proto/torchlight.pb.h"

#include <QAbstractTableModel>

#include <cstdint>
#include <string>
#include <vector>

namespace tl::views {

struct JobRow
{
    std::int64_t runId = 0;
    std::string runName;
    std::string profile;
    std::string backend; // "ssh", "slurm", "kubernetes"
    std::string host;    // user@host:port
    std::string jobId;
    std::string remoteDir;
    proto::RunState state = proto::RUN_STATE_STARTING; // the scheduler's view, as a run state
    std::string schedulerState; // the backend's own word: "PENDING", "RUNNING", "exit 0", ...
    std::string reason;         // why: "Resources", "time limit reached", a lost connection
    bool ended = false;         // the job is over (its run may still be ingesting)
    bool paused = false;        // the worker holds the run between steps (PAUSE)
};

class JobsTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Run, Profile, Job, State, Reason, Folder, ColumnCount };
    static constexpr int kRunIdRole = Qt::UserRole; // on any column: the run id (qint64)

    explicit JobsTableModel(QObject *parent = nullptr);

    // Updates the row of job.runId in place, or adds it at the top (newest first).
    void upsertJob(const JobRow &job);
    int rowOf(std::int64_t runId) const;
    const JobRow *jobAt(int row) const; // nullptr when out of range
    const std::vector<JobRow> &jobs() const { return m_jobs; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<JobRow> m_jobs;
};

} // namespace tl::views
