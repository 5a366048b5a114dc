#pragma once
// The scene items of the graph view: cards, edges and group frames, each painted from text
// and geometry fixed when the layout arrives (nothing is measured or laid out per frame), with
// less detail when zoomed far out. Internal to GraphView; UI thread.

#include "graphviz/graph_layout.h"
#include "views/graph_cards.h"

#include <QGraphicsItem>
#include <QPainterPath>

#include <string>

namespace tl::views {

// What the items ask of the view that holds them.
class GraphItemHost
{
public:
    virtual ~GraphItemHost() = default;
    virtual const CardFonts &fonts() const = 0;
    // True while the scene is drawn for an export: no selection or search marks.
    virtual bool isExporting() const = 0;
    virtual void cardClicked(int box) = 0;
    virtual void groupActivated(const std::string &group) = 0;
};

class CardItem : public QGraphicsItem
{
public:
    static constexpr int kType = UserType + 1;

    CardItem(GraphItemHost &host, int box, const graphviz::Box &layoutBox, const CardText &text);

    int type() const override { return kType; }
    int box() const { return m_box; }
    const QString &title() const { return m_text.title; }
    bool isGroup() const { return !m_group.empty(); }

    void setMatch(bool match);
    void setSelectedCard(bool selected);

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *) override;

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event) override;

private:
    QRectF cardRect() const;
    void paintBody(QPainter *painter, const QRectF &card, double lod) const;

    GraphItemHost &m_host;
    int m_box;
    std::string m_group; // non-empty for a collapsed group card
    QSizeF m_size;
    CardText m_text; // elided to the card's width once, here
    bool m_match = false;
    bool m_selected = false;
};

class EdgeItem : public QGraphicsItem
{
public:
    EdgeItem(GraphItemHost &host, const graphviz::Edge &edge);

    int from() const { return m_from; }
    int to() const { return m_to; }
    void setHighlighted(bool highlighted);

    QRectF boundingRect() const override { return m_bounds; }
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *) override;

private:
    GraphItemHost &m_host;
    int m_from;
    int m_to;
    QPainterPath m_path;
    QPolygonF m_arrow;
    QString m_label;
    QRectF m_labelRect;
    QRectF m_bounds;
    bool m_highlighted = false;
};

class FrameItem : public QGraphicsItem
{
public:
    FrameItem(GraphItemHost &host, const graphviz::Frame &frame);

    const std::string &group() const { return m_group; }
    // The title strip: a double-click there collapses the group.
    QRectF headerRect() const;

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *) override;

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event) override;

private:
    GraphItemHost &m_host;
    std::string m_group;
    QString m_title;
    QSizeF m_size;
    int m_depth;
};

} // namespace tl::views
