#pragma once
// What a card of the graph view says, how it is coloured and how big it is: computed from the
// ViewGraph and copies of fonts only, so the Graphviz lane sizes cards with the very text the
// UI thread later paints. Reentrant: one CardContent may be read from several threads.

#include "graphviz/graph_layout.h"
#include "proto/torchlight.pb.h"

#include <QColor>
#include <QFont>
#include <QString>
#include <QStringList>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tl::views {

enum class OpFamily {
    Compute,    // Conv, Gemm, MatMul, Linear: blue
    Norm,       // BatchNormalization, LayerNorm: teal
    Activation, // Relu, Sigmoid, Softmax: orange
    Pooling,    // MaxPool, GlobalAveragePool: green
    Shape,      // Reshape, Flatten, Transpose, Concat: grey
    Io,         // graph inputs and outputs: dark
    Group,      // a collapsed group: slate
    Other,      // arithmetic, dropout, the rest: brown
};

OpFamily opFamily(std::string_view op);
// The card's header colour; text on it is white.
QColor familyColor(OpFamily family);

// The lines of one card. title is drawn bold on the coloured header; name and details below.
struct CardText
{
    OpFamily family = OpFamily::Other;
    QString title;       // "Conv", "▸ layer1/0 · 12 nodes", the input's name
    QString name;        // the node's name; empty for inputs, outputs and groups
    QStringList details; // key attributes, folded parameters, the output shape
};

// The fonts cards are drawn with, derived from a widget's font.
struct CardFonts
{
    QFont title;
    QFont body;
    QFont edge;  // edge labels
    QFont frame; // an expanded group's title, small enough for Graphviz's cluster margin

    static CardFonts from(const QFont &base);
};

// Card geometry in points (one point is one pixel at zoom 1).
struct CardMetrics
{
    static constexpr double kMinWidth = 120;
    static constexpr double kMaxWidth = 250;
    static constexpr double kPadding = 7;
    static constexpr double kRadius = 6;
    static constexpr double kStackOffset = 4; // the cards peeking out behind a group card
    // An expanded group's title strip: Graphviz leaves a 12 pt margin above the first card.
    static constexpr double kFrameHeader = 12;
};

// "1×64×28×28"; a symbolic size shows its name ("batch×10"), an unknown one "?". Empty when
// nothing is known of the shape.
QString shapeText(const proto::TensorInfo &tensor);

// The text of every card of one graph. Indexes the graph's tensors once; then read-only.
class CardContent
{
public:
    explicit CardContent(std::shared_ptr<const proto::ViewGraph> graph);

    const proto::ViewGraph &graph() const { return *m_graph; }
    CardText text(const graphviz::Box &box) const;
    // The size a card needs for its text, within CardMetrics' bounds.
    graphviz::Size size(const CardText &text, const CardFonts &fonts) const;
    // What is known of a tensor by name (graph inputs, outputs, intermediate values), or null.
    const proto::TensorInfo *tensor(const std::string &name) const;
    // Whether a node lies inside group (its scope path starts with the group's components).
    static bool inGroup(const proto::ViewNode &node, std::string_view group);

private:
    CardText nodeText(const proto::ViewNode &node) const;
    CardText groupText(const graphviz::Box &box) const;
    CardText tensorText(const proto::TensorInfo &tensor, bool isInput) const;

    std::shared_ptr<const proto::ViewGraph> m_graph;
    std::unordered_map<std::string, const proto::TensorInfo *> m_tensors;
};

} // namespace tl::views
