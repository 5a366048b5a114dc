#include "app/dataset_menu.h"

#include "app/recent_datasets.h"

#include <QAction>
#include <QFileDialog>
#include <QIcon>
#include <QMenu>

namespace tl::app {

DatasetMenu::DatasetMenu(QMenu &fileMenu, QWidget &dialogParent, QObject *parent)
    : QObject(parent)
    , m_dialogParent(dialogParent)
{
    m_openFiles = fileMenu.addAction(QIcon(QStringLiteral(":/icons/open-dataset.svg")),
                                     tr("&Open Dataset…"), this, &DatasetMenu::chooseFiles);
    m_openFiles->setShortcut(QKeySequence::Open);
    m_openFiles->setToolTip(tr("Open dataset files: idx, CIFAR batches, CSV, NumPy (Ctrl+O)"));
    m_openFolder =
        fileMenu.addAction(tr("Open Dataset &Folder…"), this, &DatasetMenu::chooseFolder);
    m_openFolder->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+O")));
    QMenu *recentMenu = fileMenu.addMenu(tr("&Recent Datasets"));
    m_recent = std::make_unique<RecentDatasets>(*recentMenu);
    connect(m_recent.get(), &RecentDatasets::datasetChosen, this, &DatasetMenu::datasetChosen);
}

DatasetMenu::~DatasetMenu() = default;

void DatasetMenu::chooseFiles()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        &m_dialogParent, tr("Open Dataset"), {},
        tr("Datasets (*.gz *ubyte *.bin *.csv *.tsv *.txt *.npy *.npz);;All files (*)"));
    if (!files.isEmpty()) {
        emit datasetChosen(files);
    }
}

void DatasetMenu::chooseFolder()
{
    const QString folder =
        QFileDialog::getExistingDirectory(&m_dialogParent, tr("Open Dataset Folder"));
    if (!folder.isEmpty()) {
        emit datasetChosen({folder});
    }
}

void DatasetMenu::remember(const proto::DatasetSpec &spec)
{
    m_recent->add(datasetPaths(spec));
}

QStringList DatasetMenu::datasetPaths(const proto::DatasetSpec &spec)
{
    QStringList paths;
    for (const std::string &source : spec.sources()) {
        paths << QString::fromStdString(source);
    }
    if (!paths.isEmpty()) {
        return paths;
    }
    for (const std::string *file :
         {&spec.train_images(), &spec.train_labels(), &spec.test_images(), &spec.test_labels()}) {
        if (!file->empty()) {
            paths << QString::fromStdString(*file);
        }
    }
    return paths;
}

std::vector<std::filesystem::path> DatasetMenu::toPaths(const QStringList &paths)
{
    std::vector<std::filesystem::path> out;
    out.reserve(static_cast<std::size_t>(paths.size()));
    for (const QString &path : paths) {
        out.emplace_back(path.toStdString());
    }
    return out;
}

} // namespace tl::app
