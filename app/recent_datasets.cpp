#include "app/recent_datasets.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace tl::app {
namespace {

const QString kSettingsKey = QStringLiteral("recentDatasets");

} // namespace

RecentDatasets::RecentDatasets(QMenu &menu, QObject *parent) : QObject(parent), m_menu(menu)
{
    m_menu.setToolTipsVisible(true); // an entry of several files lists them in its tooltip
    rebuildMenu();
}

QList<QStringList> RecentDatasets::entries() const
{
    QList<QStringList> list;
    for (const QVariant &entry : QSettings().value(kSettingsKey).toList()) {
        QStringList paths = entry.toStringList();
        if (!paths.isEmpty()) {
            list.push_back(std::move(paths));
        }
    }
    return list;
}

void RecentDatasets::add(const QStringList &paths)
{
    if (paths.isEmpty()) {
        return;
    }
    QList<QStringList> list = entries();
    list.removeAll(paths);
    list.prepend(paths);
    QVariantList stored;
    for (const QStringList &entry : list) {
        if (stored.size() == kMaxEntries) {
            break;
        }
        stored.push_back(entry);
    }
    QSettings().setValue(kSettingsKey, stored);
    rebuildMenu();
}

QString RecentDatasets::entryText(const QStringList &paths)
{
    if (paths.size() == 1) {
        return paths.front();
    }
    const QString folder = QFileInfo(paths.front()).absolutePath();
    return tr("%1 (%2 files)").arg(QDir::toNativeSeparators(folder)).arg(paths.size());
}

void RecentDatasets::rebuildMenu()
{
    m_menu.clear();
    const QList<QStringList> list = entries();
    for (int i = 0; i < list.size(); ++i) {
        const QStringList &paths = list.at(i);
        // "&1": the entry's number is its keyboard accelerator; a path's own '&' is doubled.
        QString text = entryText(paths).replace(QLatin1Char('&'), QStringLiteral("&&"));
        QAction *action = m_menu.addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(text));
        action->setToolTip(paths.join(QLatin1Char('\n')));
        connect(action, &QAction::triggered, this, [this, paths] { emit datasetChosen(paths); });
    }
    m_menu.setEnabled(!list.isEmpty());
}

} // namespace tl::app
