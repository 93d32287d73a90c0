#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <vector>

namespace cairn {
class ParameterSchema;
}

namespace cairn::tuning {

/// One tuned hyperparameter and its range. Optimisers work in the unit cube: each dimension maps
/// [0, 1] onto its range (linearly or on a log scale; integers rounded; choices in equal slices).
struct Dimension
{
    enum class Kind { Real, Integer, Categorical };
    QString name;
    Kind kind = Kind::Real;
    double low = 0;
    double high = 1;
    bool logScale = false;
    QStringList choices;

    QJsonValue fromUnit(double u) const;
    double toUnit(const QJsonValue &value) const;
    /// Number of distinct values (0 for continuous).
    int cardinality() const;

    QJsonObject toJson() const;
    static Dimension fromJson(const QJsonObject &json);
};

/// The space a tuning job searches: its dimensions plus fixed values for the other parameters.
class SearchSpace
{
public:
    SearchSpace() = default;
    explicit SearchSpace(QList<Dimension> dimensions) : m_dimensions(std::move(dimensions)) {}

    /// Parses ranges such as "eta=0.01:0.3:log", "max_depth=3:10:int", "booster=gbtree,dart"
    /// against the algorithm's schema (which gives types and allowed bounds). Throws cairn::Error
    /// naming the bad range.
    static SearchSpace fromRanges(const ParameterSchema &schema, const QStringList &ranges);
    /// The schema's tunable parameters over their declared ranges (the default space).
    static SearchSpace fromSchema(const ParameterSchema &schema, const QStringList &names);

    const QList<Dimension> &dimensions() const { return m_dimensions; }
    int size() const { return int(m_dimensions.size()); }
    QJsonObject toParams(const std::vector<double> &unit) const;
    std::vector<double> toUnit(const QJsonObject &params) const;
    /// Snaps a unit point onto what the dimensions can express (integers, choices).
    std::vector<double> canonical(const std::vector<double> &unit) const;

    QJsonArray toJson() const;
    static SearchSpace fromJson(const QJsonArray &json);

private:
    QList<Dimension> m_dimensions;
};

} // namespace cairn::tuning
