#pragma once
// The File menu's dataset entries: Open Dataset… (one or several files), Open Dataset Folder…
// and Recent Datasets. Runs the file dialogs and remembers what loaded; says what was chosen
// through datasetChosen(). Lives on the UI thread; owned by the main window.

#include "proto/torchlight.pb.h"

#include <QObject>
#include <QStringList>

#include <filesystem>
#include <memory>
#include <vector>

class QAction;
class QMenu;
class QWidget;

namespace tl::app {

class RecentDatasets;

class DatasetMenu : public QObject
{
    Q_OBJECT

public:
    // Adds its actions to fileMenu; dialogs open over dialogParent. Both outlive this object.
    DatasetMenu(QMenu &fileMenu, QWidget &dialogParent, QObject *parent = nullptr);
    ~DatasetMenu() override;

    QAction *openFilesAction() const { return m_openFiles; }
    QAction *openFolderAction() const { return m_openFolder; }
    RecentDatasets &recent() const { return *m_recent; }

    // Puts a loaded dataset at the top of Recent Datasets.
    void remember(const proto::DatasetSpec &spec);
    // The paths a dataset was loaded from: the spec's sources, or its four idx files.
    static QStringList datasetPaths(const proto::DatasetSpec &spec);
    static std::vector<std::filesystem::path> toPaths(const QStringList &paths);

    void chooseFiles();
    void chooseFolder();

signals:
    void datasetChosen(const QStringList &paths);

private:
    QWidget &m_dialogParent;
    QAction *m_openFiles = nullptr;
    QAction *m_openFolder = nullptr;
    std::unique_ptr<RecentDatasets> m_recent;
};

} // namespace tl::app
