#pragma once
// Keeps the model to train: the chosen template rebuilt for the dataset's sample shape and
// class count, or the experiment file's own graph when it matches no template. Analyses it
// (shapes, parameters) for the model panel. Lives on the UI thread; analysis of these small
// graphs is pure computation of microseconds, not I/O.

#include "base/result.h"
#include "model/op_registry.h"
#include "proto/torchlight.pb.h"

#include <QObject>

#include <cstdint>
#include <optional>

namespace tl::views {
class ModelPanel;
}

namespace tl::app {

class ModelController : public QObject
{
    Q_OBJECT

public:
    // The panel is observed; the caller keeps it alive longer than the controller.
    explicit ModelController(views::ModelPanel &panel, QObject *parent = nullptr);

    // Takes the experiment's graph: selected as its template when it is exactly one (for its
    // own input shape and class count), otherwise kept as a custom graph.
    void setGraph(const proto::ModelGraph &graph);
    // The dataset changed: a template is rebuilt for the new shape and class count.
    void setInput(const model::Shape &shape, std::int64_t classes);
    void chooseTemplate(const QString &id);

    QString templateId() const { return m_templateId; }
    // The graph to train, or why there is none.
    base::Result<proto::ModelGraph> graph() const;

private:
    void rebuild();

    views::ModelPanel &m_panel;
    QString m_templateId;
    proto::ModelGraph m_customGraph;
    model::Shape m_inputShape;
    std::int64_t m_classes = 0;
    std::optional<proto::ModelGraph> m_graph;
    base::Error m_problem;
};

} // namespace tl::app
