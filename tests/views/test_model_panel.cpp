#include "model/graph_analysis.h"
#include "model/templates.h"
#include "views/model_panel.h"

#include <catch2/catch.hpp>

#include <QComboBox>
#include <QSignalSpy>
#include <QTableWidget>

using namespace tl;

TEST_CASE("The model panel shows the layers and the total parameter count", "[views]")
{
    auto graph = model::makeTemplate("mlp", {1, 28, 28}, 10);
    REQUIRE(graph.ok());
    auto analysis = model::analyzeGraph(graph.value());
    REQUIRE(analysis.ok());

    views::ModelPanel panel;
    panel.setTemplates(model::modelTemplates());
    panel.showAnalysis(analysis.value());
    CHECK(panel.totalParametersText().contains(QStringLiteral("101,770")));
    CHECK(panel.layerCount() == static_cast<int>(analysis.value().nodes.size()));
    auto *layers = panel.findChild<QTableWidget *>(QStringLiteral("modelLayers"));
    REQUIRE(layers);
    CHECK(layers->item(2, 0)->text() == QStringLiteral("fc1"));
    CHECK(layers->item(2, 2)->text() == QStringLiteral("128"));
    CHECK(layers->item(2, 3)->text() == QStringLiteral("100,480"));

    panel.showMessage(QStringLiteral("node fc1: expected ..."));
    CHECK(panel.layerCount() == 0);
}

TEST_CASE("Choosing a template in the model panel reports its id", "[views]")
{
    views::ModelPanel panel;
    panel.setTemplates(model::modelTemplates());
    auto *chooser = panel.findChild<QComboBox *>(QStringLiteral("modelTemplate"));
    REQUIRE(chooser);
    const int templateCount = static_cast<int>(model::modelTemplates().size());
    REQUIRE(chooser->count() == templateCount);
    QSignalSpy chosen(&panel, &views::ModelPanel::templateChosen);

    panel.setCurrentTemplate(QStringLiteral("lenet"));
    CHECK(panel.currentTemplateId() == QStringLiteral("lenet"));
    CHECK(chosen.count() == 0); // programmatic choices are not gestures

    emit chooser->activated(0);
    REQUIRE(chosen.count() == 1);
    CHECK(chosen.at(0).at(0).toString() == QStringLiteral("mlp"));

    panel.setCurrentTemplate(views::ModelPanel::kCustomId);
    CHECK(panel.currentTemplateId() == views::ModelPanel::kCustomId);
    CHECK(chooser->count() == templateCount + 1);
}

TEST_CASE("Large numbers are grouped by thousands", "[views]")
{
    CHECK(views::ModelPanel::groupedNumber(61706) == QStringLiteral("61,706"));
    CHECK(views::ModelPanel::groupedNumber(0) == QStringLiteral("0"));
}
