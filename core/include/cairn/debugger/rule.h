#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace cairn::debugger {

class RunData;

/// SageMaker Debugger's rule evaluation statuses, and NotApplicable for a rule that does not
/// apply to the model (TreeDepth on a neural network, SaturatedActivation without tanh/sigmoid).
enum class RuleStatus { InProgress, NoIssuesFound, IssuesFound, Error, NotApplicable };
QString ruleStatusName(RuleStatus status);
/// A NotApplicable result's message starts with this. The store keeps SageMaker's four statuses:
/// it saves NotApplicable as NoIssuesFound with this message and reads it back as NotApplicable.
inline const QLatin1String kNotApplicablePrefix("Not applicable: ");
std::optional<RuleStatus> ruleStatusFromName(const QString &name);

/// What a rule does when it fires.
enum class RuleAction { Notify = 1, Stop = 2 };

/// The outcome of one evaluation of one rule on one run.
struct RuleResult
{
    QString rule;
    RuleStatus status = RuleStatus::InProgress;
    qint64 step = -1;          ///< where the rule first fired; -1 if it has not
    QString tensor;            ///< the tensor (or metric) it fired on
    QString message;           ///< an explanation a user understands
    QJsonObject parameters;    ///< the parameters it ran with (defaults filled in)
    QStringList actions;       ///< "stop", "notify"
    qint64 evaluatedStep = -1; ///< the newest step the evaluation saw
    qint64 updatedTime = 0;
};

/// A rule as configured for a job: {"name": "VanishingGradient", "parameters": {...},
/// "actions": ["stop", "notify"]}, or just its name (actions default to notify).
struct RuleConfig
{
    QString name;
    QJsonObject parameters;
    QStringList actions = {QStringLiteral("notify")};

    static RuleConfig fromJson(const QJsonValue &value);
    QJsonObject toJson() const;
    bool stops() const { return actions.contains(QStringLiteral("stop")); }
    bool notifies() const { return actions.contains(QStringLiteral("notify")); }
    /// Throws cairn::Error for an unknown rule name, parameter or action.
    static QList<RuleConfig> listFromJson(const QJsonArray &rules);
};

/// One parameter of a rule, with SageMaker's name and default.
struct RuleParameter
{
    QString name;
    QJsonValue defaultValue;
    QString help;
};

/// A catalogue entry: what the rule detects, on which data, and its parameters.
struct RuleInfo
{
    QString name;
    QString description;
    QStringList collections;     ///< collections it reads (empty: losses from metrics)
    QList<RuleParameter> parameters;
    bool xgboost = false;        ///< applies to XGBoost models only
    bool neuralNetwork = false;  ///< applies to neural networks only (SageMaker: not for XGBoost)
    QJsonObject defaults() const;
};

/// A built-in rule. evaluate() is called repeatedly while a job runs (finished = false) and
/// once more at the end (finished = true); rules keep what they found (a rule that fired stays
/// IssuesFound with the step where it first fired). Rules read from RunData, never from the
/// training loop.
class Rule
{
public:
    Rule(const RuleInfo &info, const QJsonObject &parameters);
    virtual ~Rule() = default;

    QString name() const { return m_info.name; }
    const RuleInfo &info() const { return m_info; }
    const QJsonObject &parameters() const { return m_params; }

    /// Evaluates on the data seen so far; never throws (a failure is an Error status).
    RuleResult evaluate(RunData &data, bool finished);

protected:
    /// Sets fired(...) when the problem is found; returns an error message when the rule
    /// cannot run (missing data at the end, bad parameters), else an empty string.
    virtual QString check(RunData &data, bool finished) = 0;
    void fire(qint64 step, const QString &tensor, const QString &message);
    bool hasFired() const { return m_fired; }
    /// Marks the rule NotApplicable to this run (for good) with the reason; returns an empty
    /// string, so that check() can `return notApplicable(...)`.
    QString notApplicable(const QString &why);

    double param(const char *name) const;
    QString textParam(const char *name) const;
    bool boolParam(const char *name) const;
    QStringList listParam(const char *name) const;

private:
    RuleInfo m_info;
    QJsonObject m_params;
    bool m_fired = false;
    QString m_notApplicable;
    qint64 m_step = -1;
    QString m_tensor;
    QString m_message;
};

/// The built-in rules: SageMaker's names and default parameters.
const QList<RuleInfo> &ruleCatalogue();
std::optional<RuleInfo> findRule(const QString &name);
/// Throws cairn::Error for an unknown rule or parameter (the message lists the known ones).
std::unique_ptr<Rule> createRule(const QString &name, const QJsonObject &parameters = {});

} // namespace cairn::debugger
