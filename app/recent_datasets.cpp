#include "app/recent_datasets.h"

#include <QMenu>
#include <QSettings>

namespace tl::app {
namespace {

const QString kSettingsKey = QStringLiteral("recentDatasets");

} // namespace

RecentDatasets::RecentDatasets(QMenu &menu, QObject *parent) : QObject(parent), m_menu(menu)
{
    rebuildMenu();
}

QStringList RecentDatasets::paths() const
{
    return QSettings().value(kSettingsKey).toStringList();
}

void RecentDatasets::add(const QString &path)
{
    QStringList list = paths();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > kMaxEntries) {
        list.removeLast();
    }
    QSettings().setValue(kSettingsKey, list);
    rebuildMenu();
}

void RecentDatasets::rebuildMenu()
{
    m_menu.clear();
    const QStringList list = paths();
    for (int i = 0; i < list.size(); ++i) {
        const QString path = list.at(i);
        QAction *action = m_menu.addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(path));
        connect(action, &QAction::triggered, this, [this, path] { emit datasetChosen(path); });
    }
    m_menu.setEnabled(!list.isEmpty());
}

} // namespace tl::app
