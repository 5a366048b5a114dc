#pragma once
// File ▸ Recent Datasets: the last few dataset folders, kept in QSettings, offered as a menu.
// Lives on the UI thread; owned by the main window.

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

    // Moves path to the top of the list.
    void add(const QString &path);
    QStringList paths() const;

signals:
    void datasetChosen(const QString &path);

private:
    void rebuildMenu();

    QMenu &m_menu;
};

} // namespace tl::app
