#pragma once
// The File menu's model entries: Open Model…, Recent Models, Show Canvas Model, and the
// exports (graph as SVG or PNG, model as ONNX). Runs the file dialogs, remembers the model
// files that opened (QSettings), and says what was chosen through signals. Lives on the UI
// thread; owned by the main window.

#include <QObject>
#include <QStringList>

class QAction;
class QMenu;
class QWidget;

namespace tl::app {

class ModelMenu : public QObject
{
    Q_OBJECT

public:
    static constexpr int kMaxRecent = 8;

    // Adds its actions to fileMenu; dialogs open over dialogParent. Both outlive this object.
    ModelMenu(QMenu &fileMenu, QWidget &dialogParent, QObject *parent = nullptr);

    QAction *openAction() const { return m_open; }
    QAction *canvasAction() const { return m_canvas; }
    QAction *exportSvgAction() const { return m_exportSvg; }
    QAction *exportPngAction() const { return m_exportPng; }
    QAction *exportOnnxAction() const { return m_exportOnnx; }

    // Puts a model file that opened at the top of Recent Models.
    void remember(const QString &path);
    QStringList recent() const; // newest first
    // The graph exports need a graph on screen.
    void setGraphShown(bool shown);

    void chooseModel();

signals:
    void modelChosen(const QString &path);
    void canvasModelRequested();
    void svgExportChosen(const QString &path);
    void pngExportChosen(const QString &path);
    void onnxExportChosen(const QString &path);

private:
    QString chooseSaveFile(const QString &title, const QString &filter, const QString &suffix);
    void rebuildRecent();

    QWidget &m_dialogParent;
    QMenu *m_recentMenu = nullptr;
    QAction *m_open = nullptr;
    QAction *m_canvas = nullptr;
    QAction *m_exportSvg = nullptr;
    QAction *m_exportPng = nullptr;
    QAction *m_exportOnnx = nullptr;
};

} // namespace tl::app
