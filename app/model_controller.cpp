#include "app/model_controller.h"

#include "model/graph_analysis.h"
#include "model/templates.h"
#include "views/model_panel.h"

#include <google/protobuf/util/message_differencer.h>

namespace tl::app {

ModelController::ModelController(views::ModelPanel &panel, QObject *parent)
    : QObject(parent)
    , m_panel(panel)
    , m_templateId(QStringLiteral("mlp"))
{
    m_panel.setTemplates(model::modelTemplates());
    m_panel.setCurrentTemplate(m_templateId);
    rebuild();
    connect(&m_panel, &views::ModelPanel::templateChosen, this, &ModelController::chooseTemplate);
}

void ModelController::setGraph(const proto::ModelGraph &graph)
{
    base::Result<model::GraphAnalysis> analysis = model::analyzeGraph(graph);
    m_customGraph = graph;
    m_templateId = views::ModelPanel::kCustomId;
    if (analysis && !analysis.value().outputShape.empty()) {
        m_inputShape = analysis.value().inputShape;
        m_classes = analysis.value().outputShape.back();
        for (const model::ModelTemplate &t : model::modelTemplates()) {
            base::Result<proto::ModelGraph> candidate =
                model::makeTemplate(t.id, m_inputShape, m_classes);
            if (candidate
                && google::protobuf::util::MessageDifferencer::Equals(candidate.value(), graph)) {
                m_templateId = QString::fromStdString(t.id);
                break;
            }
        }
    }
    m_panel.setCurrentTemplate(m_templateId);
    rebuild();
}

void ModelController::setInput(const model::Shape &shape, std::int64_t classes)
{
    m_inputShape = shape;
    m_classes = classes;
    rebuild();
}

void ModelController::chooseTemplate(const QString &id)
{
    m_templateId = id;
    m_panel.setCurrentTemplate(id);
    rebuild();
}

base::Result<proto::ModelGraph> ModelController::graph() const
{
    if (m_graph) {
        return *m_graph;
    }
    return m_problem;
}

void ModelController::rebuild()
{
    m_graph.reset();
    if (m_templateId != views::ModelPanel::kCustomId && m_classes < 1) {
        m_problem = base::makeError(base::ErrorCode::InvalidInput,
                                    "Load a dataset first: the model is sized by its samples.");
        m_panel.showMessage(QString::fromStdString(m_problem.message));
        return;
    }
    base::Result<proto::ModelGraph> built =
        m_templateId == views::ModelPanel::kCustomId
            ? base::Result<proto::ModelGraph>(m_customGraph)
            : model::makeTemplate(m_templateId.toStdString(), m_inputShape, m_classes);
    if (!built) {
        m_problem = built.error();
        m_panel.showMessage(QString::fromStdString(m_problem.describe()));
        return;
    }
    base::Result<model::GraphAnalysis> analysis = model::analyzeGraph(built.value());
    if (!analysis) {
        m_problem = analysis.error();
        m_panel.showMessage(QString::fromStdString(m_problem.describe()));
        return;
    }
    m_graph = std::move(built).value();
    m_panel.showAnalysis(analysis.value());
}

} // namespace tl::app
