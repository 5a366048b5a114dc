#pragma once
// The model chooser: a template combo box, the layer table (name, op, output shape,
// parameters) and the total parameter count of the analysed graph. A UI-thread widget fed
// model::GraphAnalysis by the model controller.

#include <QString>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QTableWidget;

namespace tl::model {
struct GraphAnalysis;
struct ModelTemplate;
} // namespace tl::model

namespace tl::views {

class ModelPanel : public QWidget
{
    Q_OBJECT

public:
    // The combo entry for a graph that matches no template (loaded from an experiment file).
    static inline const QString kCustomId = QStringLiteral("custom");

    explicit ModelPanel(QWidget *parent = nullptr);

    // Fills the chooser; keeps the current choice when its id is still offered.
    void setTemplates(const std::vector<model::ModelTemplate> &templates);
    // Selects a template id (or kCustomId, added on demand) without emitting templateChosen.
    void setCurrentTemplate(const QString &id);
    QString currentTemplateId() const;

    void showAnalysis(const model::GraphAnalysis &analysis);
    // Clears the table and shows why there is no analysis.
    void showMessage(const QString &text);

    QString totalParametersText() const;
    int layerCount() const;

    // 101770 -> "101,770".
    static QString groupedNumber(qint64 value);

signals:
    void templateChosen(const QString &id);

private:
    QComboBox *m_chooser = nullptr;
    QTableWidget *m_layers = nullptr;
    QLabel *m_total = nullptr;
    QLabel *m_message = nullptr;
};

} // namespace tl::views
