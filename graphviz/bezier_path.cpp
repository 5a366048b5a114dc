#include "graphviz/bezier_path.h"

#include <cmath>
#include <cstddef>

namespace tl::graphviz {
namespace {

// Polyline steps per cubic piece: plenty for a label's position on card-sized curves.
constexpr int kStepsPerPiece = 16;

Point lerp(Point a, Point b, double t)
{
    return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t};
}

Point cubicAt(const Point *piece, double t)
{
    const double u = 1 - t;
    const double a = u * u * u;
    const double b = 3 * u * u * t;
    const double c = 3 * u * t * t;
    const double d = t * t * t;
    return {a * piece[0].x + b * piece[1].x + c * piece[2].x + d * piece[3].x,
            a * piece[0].y + b * piece[1].y + c * piece[2].y + d * piece[3].y};
}

double distance(Point a, Point b)
{
    return std::hypot(b.x - a.x, b.y - a.y);
}

std::vector<Point> flatten(const std::vector<Point> &points)
{
    std::vector<Point> line{points.front()};
    for (std::size_t i = 0; i + 3 < points.size(); i += 3) {
        for (int step = 1; step <= kStepsPerPiece; ++step) {
            line.push_back(cubicAt(&points[i], static_cast<double>(step) / kStepsPerPiece));
        }
    }
    return line;
}

} // namespace

void appendLine(std::vector<Point> &points, Point to)
{
    if (points.empty()) {
        points.push_back(to);
        return;
    }
    const Point from = points.back();
    points.push_back(lerp(from, to, 1.0 / 3));
    points.push_back(lerp(from, to, 2.0 / 3));
    points.push_back(to);
}

Point chainMidpoint(const std::vector<Point> &points)
{
    if (points.empty()) {
        return {};
    }
    const std::vector<Point> line = flatten(points);
    double total = 0;
    for (std::size_t i = 1; i < line.size(); ++i) {
        total += distance(line[i - 1], line[i]);
    }
    double left = total / 2;
    for (std::size_t i = 1; i < line.size(); ++i) {
        const double step = distance(line[i - 1], line[i]);
        if (step > 0 && left <= step) {
            return lerp(line[i - 1], line[i], left / step);
        }
        left -= step;
    }
    return line.back();
}

} // namespace tl::graphviz
