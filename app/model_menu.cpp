#include "app/model_menu.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace tl::app {
namespace {

const QString kSettingsKey = QStringLiteral("recentModels");

} // namespace

ModelMenu::ModelMenu(QMenu &fileMenu, QWidget &dialogParent, QObject *parent)
    : QObject(parent)
    , m_dialogParent(dialogParent)
{
    m_open = fileMenu.addAction(tr("Open &Model…"), this, &ModelMenu::chooseModel);
    // Ctrl+O and Ctrl+Shift+O open datasets, Ctrl+E experiments.
    m_open->setShortcut(QKeySequence(QStringLiteral("Ctrl+M")));
    m_open->setToolTip(tr("Open an ONNX or TorchScript model and see its graph (Ctrl+M)"));
    m_recentMenu = fileMenu.addMenu(tr("Recent Mo&dels"));
    m_recentMenu->setObjectName(QStringLiteral("recentModelsMenu"));
    m_canvas = fileMenu.addAction(tr("Show &Canvas Model in Graph"), this,
                                  &ModelMenu::canvasModelRequested);
    fileMenu.addSeparator();
    m_exportSvg = fileMenu.addAction(tr("Export Graph as &SVG…"), this, [this] {
        const QString path = chooseSaveFile(tr("Export Graph as SVG"), tr("SVG images (*.svg)"),
                                            QStringLiteral("svg"));
        if (!path.isEmpty()) {
            emit svgExportChosen(path);
        }
    });
    m_exportPng = fileMenu.addAction(tr("Export Graph as &PNG…"), this, [this] {
        const QString path = chooseSaveFile(tr("Export Graph as PNG"), tr("PNG images (*.png)"),
                                            QStringLiteral("png"));
        if (!path.isEmpty()) {
            emit pngExportChosen(path);
        }
    });
    m_exportOnnx = fileMenu.addAction(tr("Export Model as &ONNX…"), this, [this] {
        const QString path = chooseSaveFile(tr("Export Model as ONNX"), tr("ONNX models (*.onnx)"),
                                            QStringLiteral("onnx"));
        if (!path.isEmpty()) {
            emit onnxExportChosen(path);
        }
    });
    m_exportOnnx->setToolTip(tr("Export the canvas model, with the selected run's trained "
                                "weights when it has a checkpoints/last.pt"));
    setGraphShown(false);
    rebuildRecent();
}

void ModelMenu::chooseModel()
{
    const QString path = QFileDialog::getOpenFileName(
        &m_dialogParent, tr("Open Model"), {},
        tr("Models (*.onnx *.pt *.pth *.torchscript);;ONNX (*.onnx);;TorchScript (*.pt *.pth "
           "*.torchscript);;All files (*)"));
    if (!path.isEmpty()) {
        emit modelChosen(path);
    }
}

QString
ModelMenu::chooseSaveFile(const QString &title, const QString &filter, const QString &suffix)
{
    QFileDialog dialog(&m_dialogParent, title, {}, filter);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix(suffix);
    dialog.selectFile(QStringLiteral("model.") + suffix);
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty()) {
        return {};
    }
    return dialog.selectedFiles().constFirst();
}

void ModelMenu::remember(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList list = recent();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kMaxRecent) {
        list.removeLast();
    }
    QSettings().setValue(kSettingsKey, list);
    rebuildRecent();
}

QStringList ModelMenu::recent() const
{
    return QSettings().value(kSettingsKey).toStringList();
}

void ModelMenu::setGraphShown(bool shown)
{
    m_exportSvg->setEnabled(shown);
    m_exportPng->setEnabled(shown);
}

void ModelMenu::rebuildRecent()
{
    m_recentMenu->clear();
    const QStringList list = recent();
    for (int i = 0; i < list.size(); ++i) {
        const QString &path = list.at(i);
        // "&1": the entry's number is its keyboard accelerator; a path's own '&' is doubled.
        QString text = path;
        QAction *action = m_recentMenu->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(
            text.replace(QLatin1Char('&'), QStringLiteral("&&"))));
        connect(action, &QAction::triggered, this, [this, path] { emit modelChosen(path); });
    }
    m_recentMenu->setEnabled(!list.isEmpty());
}

} // namespace tl::app
