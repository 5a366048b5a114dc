#pragma once
// File ▸ Recent Datasets: the last few datasets, each the list of paths it was loaded from (a
// folder, a file, or several files), kept in QSettings and offered as a menu. Lives on the UI
// thread; owned by the main window.

#include <QList>
#include <QObject>
#include <QStringList>

class QMenu;

namespace tl::app {

class RecentDatasets : public QObject
{
    Q_OBJECT

public:
    static constexpr int kMaxEntries = 8;

    // Fills menu (owned by the caller) now and whenever the list changes.
    explicit RecentDatasets(QMenu &menu, QObject *parent = nullptr);

    // Moves the dataset with these paths to the top of the list; an empty list is ignored.
    void add(const QStringList &paths);
    // Newest first. Entries stored by older versions (one path each) read as one-path lists.
    QList<QStringList> entries() const;

    // The menu's text for an entry: the path itself, or "folder (N files)".
    static QString entryText(const QStringList &paths);

signals:
    void datasetChosen(const QStringList &paths);

private:
    void rebuildMenu();

    QMenu &m_menu;
};

} // namespace tl::app
