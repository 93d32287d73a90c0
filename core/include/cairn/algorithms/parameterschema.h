#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace cairn {

/// One hyperparameter of an algorithm. The same description drives the training form (widget,
/// range, tooltip), CLI validation (`--hp key=value`) and tuning search spaces (range, log scale).
struct Parameter
{
    enum class Type { Int, Float, Bool, Choice, String };
    QString name;
    Type type = Type::Float;
    QJsonValue defaultValue;
    std::optional<double> min;
    std::optional<double> max;
    bool logScale = false;   ///< search (and slide) on a log scale
    QStringList choices;     ///< Choice: the values; String: allowed items of a comma-separated list (empty: any text)
    QString help;
    bool tunable = true;     ///< offered to the tuner

    static Parameter integer(const QString &name, qint64 def, std::optional<double> min, std::optional<double> max, const QString &help);
    static Parameter real(const QString &name, double def, std::optional<double> min, std::optional<double> max, const QString &help, bool logScale = false);
    static Parameter boolean(const QString &name, bool def, const QString &help);
    static Parameter choice(const QString &name, const QString &def, const QStringList &choices, const QString &help);
    static Parameter string(const QString &name, const QString &def, const QString &help);

    static QString typeName(Type type);
    QJsonObject toJson() const;
    static Parameter fromJson(const QJsonObject &json);
    /// Empty when `value` is acceptable; else a message naming the parameter and the rule.
    QString check(const QJsonValue &value) const;
    /// Parses text the way the CLI and a form field give it ("0.1", "true", "gbtree").
    /// Returns an undefined QJsonValue and sets *error when the text does not fit the type.
    QJsonValue parse(const QString &text, QString *error) const;
};

/// The ordered list of an algorithm's hyperparameters.
class ParameterSchema
{
public:
    ParameterSchema() = default;
    ParameterSchema(QList<Parameter> parameters) : m_parameters(std::move(parameters)) {}

    const QList<Parameter> &parameters() const { return m_parameters; }
    const Parameter *find(const QString &name) const;

    /// Checks `given` (unknown names, types, ranges) and fills in defaults. Throws cairn::Error
    /// listing every problem at once.
    QJsonObject resolve(const QJsonObject &given) const;
    /// "key=value" strings (the CLI's --hp) → typed values; throws cairn::Error on a bad one.
    QJsonObject parseAssignments(const QStringList &assignments) const;

    QJsonArray toJson() const;
    static ParameterSchema fromJson(const QJsonArray &json);

private:
    QList<Parameter> m_parameters;
};

} // namespace cairn
